#include "core/data/glyphs/glyph_catalogue.h"

#include "core/util/embedded.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <system_error>

namespace maml {
namespace fs = std::filesystem;

namespace {
const char* kWhere = "datasets/glyphs.json";

template <typename T> T field(const nlohmann::json& j, const char* key)
{
    if (!j.contains(key))
        throw Error(std::string("missing field '") + key + "'", kWhere,
                    "Restore the file from the repository");
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("field '") + key + "' has the wrong type: " + e.what(), kWhere);
    }
}

int utf8Length(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if ((lead >> 5) == 0x6)
        return 2;
    if ((lead >> 4) == 0xE)
        return 3;
    if ((lead >> 3) == 0x1E)
        return 4;
    return 0;
}
} // namespace

std::vector<char32_t> decodeUtf8(const std::string& text)
{
    std::vector<char32_t> out;
    for (size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const int len = utf8Length(lead);
        if (len == 0 || i + len > text.size())
            throw Error("invalid UTF-8 at byte " + std::to_string(i), kWhere);
        char32_t cp = len == 1 ? lead : (lead & (0xFF >> (len + 1)));
        for (int k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(text[i + k]);
            if ((c >> 6) != 0x2)
                throw Error("invalid UTF-8 at byte " + std::to_string(i + k), kWhere);
            cp = (cp << 6) | (c & 0x3F);
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

std::string encodeUtf8(char32_t cp)
{
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (cp >> 18));
        s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

std::uint64_t fnv1a64(const std::string& bytes, std::uint64_t hash)
{
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

GlyphCatalogue::GlyphCatalogue(const std::string& jsonText) : m_json(jsonText)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(jsonText);
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("not valid JSON: ") + e.what(), kWhere);
    }
    m_fontNames = field<std::vector<std::string>>(j, "fonts");
    m_splitFractions = field<std::map<std::string, double>>(j, "splitFractions");
    m_splitSalt = field<std::string>(j, "splitSalt");
    m_renderPixels = field<int>(j, "renderPixels");
    m_minFonts = field<int>(j, "minFonts");
    m_minUsableFonts = field<int>(j, "minUsableFonts");
    for (const auto& c : field<nlohmann::json>(j, "classes"))
        m_classes.push_back({field<std::string>(c, "name"), decodeUtf8(field<std::string>(c, "chars"))});
    for (const char* s : {"train", "val", "test"})
        if (!m_splitFractions.count(s))
            throw Error(std::string("splitFractions lacks '") + s + "'", kWhere);
}

const GlyphCatalogue& GlyphCatalogue::embedded()
{
    static const GlyphCatalogue catalogue = [] {
        const auto& files = embedded::files();
        auto it = files.find("glyphs.json");
        if (it == files.end())
            throw Error("glyphs.json is not compiled in", "maml_core",
                        "Rebuild: datasets/glyphs.json must exist");
        return GlyphCatalogue(it->second);
    }();
    return catalogue;
}

std::string GlyphCatalogue::splitOf(const std::string& className) const
{
    const std::uint64_t h = fnv1a64(m_splitSalt + "/" + className);
    const double u = static_cast<double>(h % 1000003ull) / 1000003.0;
    const double train = m_splitFractions.at("train");
    const double val = m_splitFractions.at("val");
    if (u < train)
        return "train";
    return u < train + val ? "val" : "test";
}

std::vector<fs::path> GlyphCatalogue::systemFontDirs()
{
    std::vector<fs::path> dirs = {"/usr/share/fonts", "/usr/local/share/fonts", "/usr/share/texmf/fonts"};
    if (const char* home = std::getenv("HOME"); home && *home) {
        dirs.push_back(fs::path(home) / ".local/share/fonts");
        dirs.push_back(fs::path(home) / ".fonts");
    }
    return dirs;
}

std::vector<GlyphFont> GlyphCatalogue::findFonts(const std::vector<fs::path>& dirs) const
{
    // File name -> first path found, scanning paths in sorted order so the choice is stable.
    std::map<std::string, fs::path> found;
    for (const auto& dir : dirs.empty() ? systemFontDirs() : dirs) {
        std::error_code ec;
        std::vector<fs::path> paths;
        for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
             !ec && it != end; it.increment(ec))
            if (it->is_regular_file(ec))
                paths.push_back(it->path());
        std::sort(paths.begin(), paths.end());
        for (const auto& p : paths)
            found.emplace(p.filename().string(), p);
    }
    std::vector<GlyphFont> fonts;
    for (const auto& name : m_fontNames) {
        auto it = found.find(name);
        std::error_code ec;
        if (it != found.end())
            fonts.push_back({name, it->second, fs::file_size(it->second, ec)});
    }
    return fonts;
}

} // namespace maml
