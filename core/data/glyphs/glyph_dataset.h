#pragma once
/// \file
/// The Glyphs data as an ImageDataset.

#include "core/data/dataset.h"
#include "core/data/glyphs/glyph_set.h"

#include <filesystem>

namespace maml {

/// Serves a generated (or cached) GlyphSet. Read-only, so safe from several threads.
class GlyphDataset final : public ImageDataset {
public:
    GlyphDataset(GlyphSet set, std::filesystem::path cacheFile);

    std::string name() const override { return "glyphs"; }
    std::string location() const override { return m_cacheFile.string(); }
    const std::vector<std::string>& classNames() const override { return m_names; }
    int imageCount(int cls) const override;
    ImageShape shape() const override { return {1, m_set.imageSize, m_set.imageSize}; }
    torch::Tensor image(int cls, int index) const override;
    std::string imageSource(int cls, int index) const override;
    /// "train", "val", "test" (fixed by a hash of each class name) and "all".
    std::map<std::string, std::vector<int>> splits() const override;

    /// The generated data itself (e.g. for tests and sample sheets).
    const GlyphSet& glyphSet() const { return m_set; }

private:
    const GlyphSample& sample(int cls, int index) const;

    GlyphSet m_set;
    std::filesystem::path m_cacheFile;
    std::vector<std::string> m_names;
};

} // namespace maml
