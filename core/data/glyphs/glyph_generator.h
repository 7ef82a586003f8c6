#pragma once
/// \file
/// Generates the Glyphs data from font files: render, check, distort.

#include "core/data/glyphs/glyph_catalogue.h"
#include "core/data/glyphs/glyph_renderer.h"
#include "core/data/glyphs/glyph_set.h"
#include "core/data/glyphs/glyphs.h"

#include <map>
#include <set>
#include <vector>

namespace maml {

/// Builds a GlyphSet from a catalogue and the fonts found. Deterministic: the same options
/// and font files give the same bytes.
class GlyphGenerator {
public:
    GlyphGenerator(const GlyphCatalogue& catalogue, std::vector<GlyphFont> fonts,
                   const GlyphsOptions& options);

    /// Every class with at least catalogue.minFonts() usable fonts, samplesPerClass samples each.
    GlyphSet generate();

private:
    struct Source {
        int font = 0;
        char32_t codepoint = 0;
    };

    /// (font, code point) pairs the fonts have for class `cls`, grouped by font, in a
    /// seeded order that visits every font before any font's second character.
    std::vector<Source> sourcesFor(int cls) const;
    /// Whether font `font` draws `codepoint` with a glyph no other class uses.
    bool ownedBy(int font, char32_t codepoint) const;
    const cv::Mat& glyph(const Source& s);
    /// A small scaled-to-fill thumbnail of class `cls` in font `font` (empty if none).
    cv::Mat thumbnail(int font, int cls);
    /// Finds, per font, classes whose scaled-to-fill shapes coincide (e.g. small-caps
    /// lowercase) and blocks both for that font.
    void blockLookalikes();
    /// Renders and distorts class `cls`; false when it has too few usable fonts.
    bool makeClass(int cls, GlyphClass& out);
    bool addSample(GlyphClass& out, const Source& s, std::uint32_t variant, std::vector<std::uint64_t>& seen);

    const GlyphCatalogue& m_catalogue;
    std::vector<GlyphFont> m_fonts;
    GlyphsOptions m_options;
    GlyphRenderer m_renderer;
    /// Per font: glyph index -> how many classes map a character to it.
    std::vector<std::map<unsigned, int>> m_glyphOwners;
    std::map<std::pair<int, char32_t>, cv::Mat> m_rendered;
    std::set<std::pair<int, int>> m_blocked; ///< (font, class) pairs left out
};

} // namespace maml
