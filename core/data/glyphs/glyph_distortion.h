#pragma once
/// \file
/// The small random distortion that turns one rendered character into one sample.

#include <opencv2/core.hpp>

#include <cstdint>

namespace maml {

/// One draw of the distortion: an affine map (rotation, scale, shear, shift) and a stroke
/// width. Applying it scales the glyph to fill the box (aspect kept), so size and baseline
/// carry no information.
struct GlyphDistortion {
    double rotation = 0.0;     ///< radians
    double scale = 1.0;        ///< multiplies the fill size
    double shear = 0.0;        ///< horizontal shear factor
    double shiftX = 0.0;       ///< fraction of the box
    double shiftY = 0.0;       ///< fraction of the box
    double strokeFactor = 1.0; ///< multiplies the target stroke width

    /// A deterministic draw from `seed` (same seed, same distortion, on every platform).
    static GlyphDistortion random(std::uint64_t seed);

    /// Draws `glyph` (8-bit coverage, ink 255, cropped to its ink) into an imageSize x
    /// imageSize 8-bit image: transformed at 4x resolution, stroke width normalised to
    /// about 7.5% of the box times strokeFactor, then area-downsampled.
    cv::Mat apply(const cv::Mat& glyph, int imageSize) const;
};

} // namespace maml
