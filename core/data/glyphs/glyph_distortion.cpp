#include "core/data/glyphs/glyph_distortion.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <random>

namespace maml {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr int kOversample = 4;
constexpr double kFill = 0.74; // longest side of the glyph, as a fraction of the box
constexpr double kMaxHalfExtent = 0.46;
constexpr double kStrokeWidth = 0.075;

/// Uniform in [lo, hi) from 53 random bits (std::uniform_real_distribution is not portable).
double uniform(std::mt19937_64& rng, double lo, double hi)
{
    return lo + (hi - lo) * static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

/// Linear part of the affine map and the half extents of the transformed glyph box.
cv::Matx22d linearPart(const GlyphDistortion& d, const cv::Size& glyph, double box, cv::Point2d& half)
{
    const double g = kFill * box * d.scale / std::max(glyph.width, glyph.height);
    const double c = std::cos(d.rotation), s = std::sin(d.rotation);
    cv::Matx22d a = cv::Matx22d(c, -s, s, c) * cv::Matx22d(1.0, d.shear, 0.0, 1.0) * g;
    const double w = glyph.width / 2.0, h = glyph.height / 2.0;
    half = {std::abs(a(0, 0)) * w + std::abs(a(0, 1)) * h, std::abs(a(1, 0)) * w + std::abs(a(1, 1)) * h};
    const double k = std::min(1.0, kMaxHalfExtent * box / std::max(half.x, half.y));
    half *= k;
    return a * k;
}

double clampShift(double shift, double half, double box)
{
    const double room = std::max(0.0, box / 2.0 - 2.0 - half);
    return std::clamp(shift * box, -room, room);
}

/// Mean stroke width of the ink: 2 * area / perimeter.
double strokeWidth(const cv::Mat& img)
{
    const cv::Mat ink = img > 127;
    cv::Mat inner;
    cv::erode(ink, inner, cv::Mat());
    const int area = cv::countNonZero(ink);
    const int boundary = area - cv::countNonZero(inner);
    return boundary > 0 ? 2.0 * area / boundary : 0.0;
}

cv::Mat morph(const cv::Mat& img, int radius)
{
    const auto kernel =
        cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * std::abs(radius) + 1, 2 * std::abs(radius) + 1});
    cv::Mat out;
    if (radius > 0)
        cv::dilate(img, out, kernel);
    else
        cv::erode(img, out, kernel);
    return out;
}

/// Dilates or erodes towards the target stroke width; never erodes the ink away.
cv::Mat adjustStroke(const cv::Mat& img, double target)
{
    const double width = strokeWidth(img);
    const int box = img.cols;
    const int radius = std::clamp(static_cast<int>(std::lround((target - width) / 2.0)), -box / 40, box / 16);
    if (radius == 0)
        return img;
    cv::Mat out = morph(img, radius);
    if (radius < 0 && cv::countNonZero(out > 127) < cv::countNonZero(img > 127) / 3)
        return img;
    return out;
}
} // namespace

GlyphDistortion GlyphDistortion::random(std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    GlyphDistortion d;
    d.rotation = uniform(rng, -10.0, 10.0) * kPi / 180.0;
    d.scale = uniform(rng, 0.85, 1.05);
    d.shear = uniform(rng, -0.15, 0.15);
    d.shiftX = uniform(rng, -0.06, 0.06);
    d.shiftY = uniform(rng, -0.06, 0.06);
    d.strokeFactor = uniform(rng, 0.75, 1.3);
    return d;
}

cv::Mat GlyphDistortion::apply(const cv::Mat& glyph, int imageSize) const
{
    const int box = imageSize * kOversample;
    cv::Point2d half;
    const cv::Matx22d a = linearPart(*this, glyph.size(), box, half);
    const cv::Point2d centre((box - 1) / 2.0 + clampShift(shiftX, half.x, box),
                             (box - 1) / 2.0 + clampShift(shiftY, half.y, box));
    const cv::Point2d g((glyph.cols - 1) / 2.0, (glyph.rows - 1) / 2.0);
    const cv::Matx23d m(a(0, 0), a(0, 1), centre.x - a(0, 0) * g.x - a(0, 1) * g.y, a(1, 0), a(1, 1),
                        centre.y - a(1, 0) * g.x - a(1, 1) * g.y);
    cv::Mat canvas;
    cv::warpAffine(glyph, canvas, m, {box, box}, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    canvas = adjustStroke(canvas, kStrokeWidth * box * strokeFactor);
    cv::Mat out;
    cv::resize(canvas, out, {imageSize, imageSize}, 0, 0, cv::INTER_AREA);
    return out;
}

} // namespace maml
