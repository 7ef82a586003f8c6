#include "core/data/glyphs/glyph_generator.h"

#include "core/data/glyphs/glyph_distortion.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <set>

namespace maml {

namespace {
constexpr int kThumbnailSize = 16;
/// Two thumbnails whose difference holds less than this share of their ink are the same shape.
constexpr double kLookalikeShare = 0.2;

bool sameShape(const cv::Mat& a, const cv::Mat& b)
{
    if (a.empty() || b.empty())
        return false;
    const double ink = (cv::norm(a, cv::NORM_L1) + cv::norm(b, cv::NORM_L1)) / 2.0;
    return cv::norm(a, b, cv::NORM_L1) < kLookalikeShare * ink;
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b)
{
    // splitmix64 finaliser over a combined value: well spread and platform independent.
    std::uint64_t z = a ^ (b + 0x9E3779B97F4A7C15ull + (a << 6) + (a >> 2));
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Fisher-Yates with our own index draw (std::shuffle's use of the engine is not portable).
template <typename T> void seededShuffle(std::vector<T>& v, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    for (size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[rng() % i]);
}

std::uint64_t hashPixels(const cv::Mat& m)
{
    return fnv1a64(std::string(reinterpret_cast<const char*>(m.data), m.total()));
}
} // namespace

GlyphGenerator::GlyphGenerator(const GlyphCatalogue& catalogue, std::vector<GlyphFont> fonts,
                               const GlyphsOptions& options)
    : m_catalogue(catalogue), m_fonts(std::move(fonts)), m_options(options),
      m_renderer(m_fonts, catalogue.renderPixels()), m_glyphOwners(m_fonts.size())
{
    for (int f = 0; f < m_renderer.fontCount(); ++f)
        for (const auto& def : m_catalogue.classes()) {
            std::set<unsigned> indices;
            for (char32_t cp : def.codepoints)
                if (unsigned idx = m_renderer.glyphIndex(f, cp))
                    indices.insert(idx);
            for (unsigned idx : indices)
                ++m_glyphOwners[f][idx];
        }
    blockLookalikes();
}

bool GlyphGenerator::ownedBy(int font, char32_t codepoint) const
{
    const unsigned idx = m_renderer.glyphIndex(font, codepoint);
    return idx != 0 && m_glyphOwners[font].at(idx) == 1;
}

std::vector<GlyphGenerator::Source> GlyphGenerator::sourcesFor(int cls) const
{
    const auto& def = m_catalogue.classes()[cls];
    const std::uint64_t classSeed = mix(m_options.seed, fnv1a64(def.name));
    std::vector<std::vector<Source>> byFont;
    for (int f = 0; f < m_renderer.fontCount(); ++f) {
        std::vector<Source> group;
        for (char32_t cp : def.codepoints)
            if (ownedBy(f, cp) && !m_blocked.count({f, cls}))
                group.push_back({f, cp});
        seededShuffle(group, mix(classSeed, f));
        if (!group.empty())
            byFont.push_back(std::move(group));
    }
    seededShuffle(byFont, classSeed);
    std::vector<Source> order;
    for (size_t round = 0;; ++round) {
        const size_t before = order.size();
        for (const auto& group : byFont)
            if (round < group.size())
                order.push_back(group[round]);
        if (order.size() == before)
            return order;
    }
}

const cv::Mat& GlyphGenerator::glyph(const Source& s)
{
    auto key = std::make_pair(s.font, s.codepoint);
    auto it = m_rendered.find(key);
    if (it == m_rendered.end())
        it = m_rendered.emplace(key, m_renderer.render(s.font, s.codepoint)).first;
    return it->second;
}

cv::Mat GlyphGenerator::thumbnail(int font, int cls)
{
    for (char32_t cp : m_catalogue.classes()[cls].codepoints)
        if (ownedBy(font, cp) && !glyph({font, cp}).empty())
            return GlyphDistortion{}.apply(glyph({font, cp}), kThumbnailSize);
    return {};
}

void GlyphGenerator::blockLookalikes()
{
    const int classes = static_cast<int>(m_catalogue.classes().size());
    for (int f = 0; f < m_renderer.fontCount(); ++f) {
        std::vector<cv::Mat> thumbs(classes);
        for (int c = 0; c < classes; ++c)
            thumbs[c] = thumbnail(f, c);
        for (int a = 0; a < classes; ++a)
            for (int b = a + 1; b < classes; ++b)
                if (sameShape(thumbs[a], thumbs[b])) {
                    spdlog::debug("glyphs: '{}' and '{}' look alike in {}; both left out for that font",
                                  m_catalogue.classes()[a].name, m_catalogue.classes()[b].name,
                                  m_fonts[f].name);
                    m_blocked.insert({f, a});
                    m_blocked.insert({f, b});
                }
    }
}

bool GlyphGenerator::addSample(GlyphClass& out, const Source& s, std::uint32_t variant,
                               std::vector<std::uint64_t>& seen)
{
    const std::uint64_t base = mix(mix(m_options.seed, fnv1a64(out.name)), variant);
    for (std::uint64_t attempt = 0; attempt < 8; ++attempt) {
        const cv::Mat img = GlyphDistortion::random(mix(base, attempt)).apply(glyph(s), m_options.imageSize);
        const std::uint64_t h = hashPixels(img);
        double maxValue = 0;
        cv::minMaxLoc(img, nullptr, &maxValue);
        if (maxValue < 128 || std::find(seen.begin(), seen.end(), h) != seen.end())
            continue;
        seen.push_back(h);
        out.samples.push_back({static_cast<std::uint16_t>(s.font), static_cast<std::uint32_t>(s.codepoint),
                               variant, std::vector<std::uint8_t>(img.datastart, img.dataend)});
        return true;
    }
    return false;
}

bool GlyphGenerator::makeClass(int cls, GlyphClass& out)
{
    std::vector<Source> usable;
    std::set<int> fonts;
    for (const auto& s : sourcesFor(cls))
        if (!glyph(s).empty()) {
            usable.push_back(s);
            fonts.insert(s.font);
        }
    if (static_cast<int>(fonts.size()) < m_catalogue.minFonts()) {
        spdlog::debug("glyphs: class '{}' dropped: only {} fonts draw it", out.name, fonts.size());
        return false;
    }
    std::vector<std::uint64_t> seen;
    for (std::uint32_t i = 0; out.samples.size() < static_cast<size_t>(m_options.samplesPerClass); ++i) {
        if (i >= static_cast<std::uint32_t>(m_options.samplesPerClass) * 4)
            return false; // cannot draw enough distinct images; never loop forever
        addSample(out, usable[i % usable.size()], i, seen);
    }
    return true;
}

GlyphSet GlyphGenerator::generate()
{
    GlyphSet set;
    set.imageSize = m_options.imageSize;
    for (const auto& f : m_fonts)
        set.fontNames.push_back(f.name);
    for (int c = 0; c < static_cast<int>(m_catalogue.classes().size()); ++c) {
        GlyphClass out;
        out.name = m_catalogue.classes()[c].name;
        out.split = m_catalogue.splitOf(out.name);
        if (makeClass(c, out))
            set.classes.push_back(std::move(out));
    }
    return set;
}

} // namespace maml
