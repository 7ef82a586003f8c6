#pragma once
/// \file
/// Glyphs: the embedded default dataset, an Omniglot-like set drawn from installed fonts.
/// A class is a character; a sample is that character in one typeface plus a small seeded
/// random distortion.

#include "core/data/dataset.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

namespace maml {

struct GlyphsOptions {
    int imageSize = 28; ///< square images, 1 channel
    uint64_t seed = 0;  ///< distortion seed; same seed + same fonts = same dataset
    int samplesPerClass = 20;
    std::filesystem::path cacheDir;              ///< empty: defaultCacheDir() / "glyphs"
    std::vector<std::filesystem::path> fontDirs; ///< empty: the system font folders
};

/// Generates (or loads from the cache) the Glyphs dataset, with fixed disjoint
/// train/val/test class splits. Throws maml::Error if too few fonts are installed, naming
/// the installer to run.
std::unique_ptr<ImageDataset> openGlyphs(const GlyphsOptions& options = {});

} // namespace maml
