#pragma once
/// \file
/// What the Glyphs dataset is made of: the character classes, the font files and the split
/// rule, read from the embedded datasets/glyphs.json.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace maml {

/// One class: an ASCII name and the code points drawn for it (look-alikes merged).
struct GlyphClassDef {
    std::string name;
    std::vector<char32_t> codepoints;
};

/// A font file found on this machine.
struct GlyphFont {
    std::string name; ///< file name, e.g. "DejaVuSans.ttf"
    std::filesystem::path path;
    std::uintmax_t size = 0; ///< bytes; part of the cache key
};

/// The parsed glyphs.json plus the lookups that depend on it.
class GlyphCatalogue {
public:
    /// Parses a glyphs.json text; throws maml::Error naming the field if it is malformed.
    explicit GlyphCatalogue(const std::string& jsonText);
    /// The catalogue compiled into the binary (datasets/glyphs.json).
    static const GlyphCatalogue& embedded();

    const std::vector<GlyphClassDef>& classes() const { return m_classes; }
    const std::vector<std::string>& fontNames() const { return m_fontNames; }
    const std::string& jsonText() const { return m_json; }
    int renderPixels() const { return m_renderPixels; }
    /// A class needs this many distinct fonts, else it is dropped.
    int minFonts() const { return m_minFonts; }
    /// Fewer usable font files than this is an error (install the font packages).
    int minUsableFonts() const { return m_minUsableFonts; }

    /// "train", "val" or "test" from a salted hash of the class name: independent of
    /// which other classes or fonts exist, so it never reshuffles.
    std::string splitOf(const std::string& className) const;

    /// The listed fonts found under `dirs` (recursively), in the catalogue's order.
    /// Empty `dirs` means the system font folders. Unreadable folders are skipped.
    std::vector<GlyphFont> findFonts(const std::vector<std::filesystem::path>& dirs) const;

    /// The folders searched when none are given.
    static std::vector<std::filesystem::path> systemFontDirs();

private:
    std::string m_json;
    std::vector<GlyphClassDef> m_classes;
    std::vector<std::string> m_fontNames;
    std::map<std::string, double> m_splitFractions;
    std::string m_splitSalt;
    int m_renderPixels = 128;
    int m_minFonts = 5;
    int m_minUsableFonts = 5;
};

/// Decodes UTF-8; throws maml::Error on invalid input.
std::vector<char32_t> decodeUtf8(const std::string& text);
/// Encodes one code point as UTF-8.
std::string encodeUtf8(char32_t codepoint);
/// 64-bit FNV-1a over `bytes`, continuing from `hash`.
std::uint64_t fnv1a64(const std::string& bytes, std::uint64_t hash = 14695981039346656037ull);

} // namespace maml
