#include "core/data/glyphs/glyph_dataset.h"

#include "core/data/glyphs/glyph_catalogue.h"
#include "core/util/error.h"

#include <cstdio>

namespace maml {

GlyphDataset::GlyphDataset(GlyphSet set, std::filesystem::path cacheFile)
    : m_set(std::move(set)), m_cacheFile(std::move(cacheFile))
{
    for (const auto& c : m_set.classes)
        m_names.push_back(c.name);
}

int GlyphDataset::imageCount(int cls) const
{
    if (cls < 0 || cls >= classCount())
        throw Error("class index " + std::to_string(cls) + " out of range 0.." +
                        std::to_string(classCount() - 1),
                    "glyphs");
    return static_cast<int>(m_set.classes[cls].samples.size());
}

const GlyphSample& GlyphDataset::sample(int cls, int index) const
{
    if (index < 0 || index >= imageCount(cls))
        throw Error("image index " + std::to_string(index) + " out of range for class '" + m_names[cls] + "'",
                    "glyphs", "The class has " + std::to_string(imageCount(cls)) + " images");
    return m_set.classes[cls].samples[index];
}

torch::Tensor GlyphDataset::image(int cls, int index) const
{
    const auto& s = sample(cls, index);
    auto bytes = torch::from_blob(const_cast<std::uint8_t*>(s.pixels.data()),
                                  {1, m_set.imageSize, m_set.imageSize}, torch::kUInt8);
    return bytes.to(torch::kFloat32).div_(255.0f);
}

std::string GlyphDataset::imageSource(int cls, int index) const
{
    const auto& s = sample(cls, index);
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(s.codepoint));
    return "'" + encodeUtf8(s.codepoint) + "' (" + code + ") in " + m_set.fontNames.at(s.font) +
           ", distortion " + std::to_string(s.variant);
}

std::map<std::string, std::vector<int>> GlyphDataset::splits() const
{
    std::map<std::string, std::vector<int>> out = ImageDataset::splits();
    out["train"];
    out["val"];
    out["test"];
    for (int c = 0; c < classCount(); ++c)
        out[m_set.classes[c].split].push_back(c);
    return out;
}

} // namespace maml
