#pragma once
/// \file
/// Draws single characters from font files with FreeType.

#include "core/data/glyphs/glyph_catalogue.h"

#include <opencv2/core.hpp>

#include <memory>
#include <vector>

namespace maml {

/// Owns a FreeType library and one face per font. Not thread-safe (FreeType faces are not).
class GlyphRenderer {
public:
    /// Opens every font; throws maml::Error naming a file FreeType cannot open.
    GlyphRenderer(const std::vector<GlyphFont>& fonts, int pixelSize);
    ~GlyphRenderer();
    GlyphRenderer(const GlyphRenderer&) = delete;
    GlyphRenderer& operator=(const GlyphRenderer&) = delete;

    int fontCount() const;
    /// The font's glyph index for `codepoint`; 0 when the font lacks it.
    unsigned glyphIndex(int font, char32_t codepoint) const;
    /// The character as an 8-bit coverage image (ink 255) cropped to its ink, or an empty
    /// Mat when the font lacks it, it renders blank, or it renders as the .notdef box.
    cv::Mat render(int font, char32_t codepoint) const;

private:
    cv::Mat renderIndex(int font, unsigned index) const;

    struct Impl; ///< FreeType handles, kept out of this header
    std::unique_ptr<Impl> m_impl;
    std::vector<cv::Mat> m_notdef; ///< each font's .notdef rendering (may be empty)
};

} // namespace maml
