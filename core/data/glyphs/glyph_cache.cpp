#include "core/data/glyphs/glyph_cache.h"

#include "core/util/error.h"

#include <cstdio>
#include <cstring>
#include <type_traits>

namespace maml {

namespace {
const char kMagic[8] = {'M', 'A', 'M', 'L', 'G', 'L', 'Y', 'F'};

/// Appends host-order (little-endian on every supported machine) values to a string.
class Writer {
public:
    template <typename T> void put(T v)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        m_bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void putString(const std::string& s)
    {
        put(static_cast<std::uint32_t>(s.size()));
        m_bytes += s;
    }
    void putBytes(const std::vector<std::uint8_t>& b) { m_bytes.append(b.begin(), b.end()); }
    std::string& bytes() { return m_bytes; }

private:
    std::string m_bytes;
};

/// Reads values back, throwing on any read past the end.
class Reader {
public:
    Reader(const std::string& bytes, size_t end, std::string where)
        : m_bytes(bytes), m_end(end), m_where(std::move(where))
    {
    }
    template <typename T> T get()
    {
        T v;
        std::memcpy(&v, take(sizeof v), sizeof v);
        return v;
    }
    std::string getString()
    {
        const auto n = get<std::uint32_t>();
        return std::string(take(n), n);
    }
    std::vector<std::uint8_t> getBytes(size_t n)
    {
        const char* p = take(n);
        return std::vector<std::uint8_t>(p, p + n);
    }
    size_t remaining() const { return m_end - m_pos; }
    [[noreturn]] void fail(const std::string& problem) const { throw Error(problem, m_where, ""); }

private:
    const char* take(size_t n)
    {
        if (n > remaining())
            fail("truncated cache file (wanted " + std::to_string(n) + " bytes at offset " +
                 std::to_string(m_pos) + ", file has " + std::to_string(m_end) + ")");
        const char* p = m_bytes.data() + m_pos;
        m_pos += n;
        return p;
    }
    const std::string& m_bytes;
    size_t m_end;
    size_t m_pos = 0;
    std::string m_where;
};

void writeSample(Writer& w, const GlyphSample& s)
{
    w.put(s.font);
    w.put(s.codepoint);
    w.put(s.variant);
    w.putBytes(s.pixels);
}

GlyphSample readSample(Reader& r, size_t pixels, size_t fontCount)
{
    GlyphSample s;
    s.font = r.get<std::uint16_t>();
    s.codepoint = r.get<std::uint32_t>();
    s.variant = r.get<std::uint32_t>();
    s.pixels = r.getBytes(pixels);
    if (s.font >= fontCount)
        r.fail("font index " + std::to_string(s.font) + " out of range");
    return s;
}

GlyphClass readClass(Reader& r, size_t pixels, size_t fontCount)
{
    GlyphClass c;
    c.name = r.getString();
    c.split = r.getString();
    const auto n = r.get<std::uint32_t>();
    if (n > r.remaining() / pixels)
        r.fail("class '" + c.name + "' claims " + std::to_string(n) + " samples, more than the file holds");
    for (std::uint32_t i = 0; i < n; ++i)
        c.samples.push_back(readSample(r, pixels, fontCount));
    return c;
}
} // namespace

std::uint64_t glyphCacheKey(std::uint64_t seed, int imageSize, int samplesPerClass,
                            const std::string& catalogueJson, const std::vector<GlyphFont>& fonts)
{
    std::string text = "glyphs-cache/" + std::to_string(kGlyphCacheVersion) + "/" + std::to_string(seed) +
                       "/" + std::to_string(imageSize) + "/" + std::to_string(samplesPerClass) + "/";
    text += catalogueJson;
    for (const auto& f : fonts)
        text += "/" + f.name + ":" + std::to_string(f.size);
    return fnv1a64(text);
}

std::filesystem::path glyphCachePath(const std::filesystem::path& dir, std::uint64_t key)
{
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(key));
    return dir / (std::string("glyphs-") + hex + ".bin");
}

std::string encodeGlyphCache(const GlyphSet& set, std::uint64_t key)
{
    Writer w;
    w.bytes().append(kMagic, sizeof kMagic);
    w.put(kGlyphCacheVersion);
    w.put(key);
    w.put(static_cast<std::uint32_t>(set.imageSize));
    w.put(static_cast<std::uint32_t>(set.fontNames.size()));
    for (const auto& f : set.fontNames)
        w.putString(f);
    w.put(static_cast<std::uint32_t>(set.classes.size()));
    for (const auto& c : set.classes) {
        w.putString(c.name);
        w.putString(c.split);
        w.put(static_cast<std::uint32_t>(c.samples.size()));
        for (const auto& s : c.samples)
            writeSample(w, s);
    }
    w.put(fnv1a64(w.bytes()));
    return std::move(w.bytes());
}

GlyphSet decodeGlyphCache(const std::string& bytes, std::uint64_t key, const std::string& where)
{
    if (bytes.size() < sizeof kMagic + 8 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        throw Error("not a Glyphs cache file (bad magic or too short)", where);
    const size_t body = bytes.size() - 8;
    std::uint64_t stored;
    std::memcpy(&stored, bytes.data() + body, 8);
    if (stored != fnv1a64(bytes.substr(0, body)))
        throw Error("checksum mismatch: the cache file is truncated or corrupt", where);
    Reader r(bytes, body, where);
    r.getBytes(sizeof kMagic);
    if (const auto v = r.get<std::uint32_t>(); v != kGlyphCacheVersion)
        r.fail("cache format version " + std::to_string(v) + ", expected " +
               std::to_string(kGlyphCacheVersion));
    if (r.get<std::uint64_t>() != key)
        r.fail("cache file was made for other settings or fonts");
    GlyphSet set;
    set.imageSize = static_cast<int>(r.get<std::uint32_t>());
    if (set.imageSize < 1 || set.imageSize > 4096)
        r.fail("impossible image size " + std::to_string(set.imageSize));
    const auto fonts = r.get<std::uint32_t>();
    for (std::uint32_t i = 0; i < fonts && r.remaining() > 0; ++i)
        set.fontNames.push_back(r.getString());
    const auto classes = r.get<std::uint32_t>();
    const size_t pixels = static_cast<size_t>(set.imageSize) * set.imageSize;
    for (std::uint32_t i = 0; i < classes; ++i)
        set.classes.push_back(readClass(r, pixels, set.fontNames.size()));
    if (r.remaining() != 0)
        r.fail(std::to_string(r.remaining()) + " unexpected bytes after the last class");
    return set;
}

} // namespace maml
