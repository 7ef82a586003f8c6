#pragma once
/// \file
/// The generated Glyphs data in memory: what the generator makes, the cache stores and the
/// dataset serves.

#include <cstdint>
#include <string>
#include <vector>

namespace maml {

/// One image: a character in one font, distorted.
struct GlyphSample {
    std::uint16_t font = 0;           ///< index into GlyphSet::fontNames
    std::uint32_t codepoint = 0;      ///< the character drawn
    std::uint32_t variant = 0;        ///< which distortion of the class (0..samplesPerClass-1)
    std::vector<std::uint8_t> pixels; ///< imageSize * imageSize, ink 255 on 0
};

/// One class (a character, look-alikes merged) and its samples.
struct GlyphClass {
    std::string name;
    std::string split; ///< "train", "val" or "test"
    std::vector<GlyphSample> samples;
};

/// Everything the dataset holds.
struct GlyphSet {
    int imageSize = 28;
    std::vector<std::string> fontNames;
    std::vector<GlyphClass> classes;
};

} // namespace maml
