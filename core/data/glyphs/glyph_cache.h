#pragma once
/// \file
/// The Glyphs cache file: one binary file per (format version, seed, image size, samples per
/// class, class definitions, font files and sizes), named by a hash of those.

#include "core/data/glyphs/glyph_catalogue.h"
#include "core/data/glyphs/glyph_set.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace maml {

/// The bytes of the cache file format; bump when the layout or the generator changes.
constexpr std::uint32_t kGlyphCacheVersion = 1;

/// Hash of everything that determines the generated data.
std::uint64_t glyphCacheKey(std::uint64_t seed, int imageSize, int samplesPerClass,
                            const std::string& catalogueJson, const std::vector<GlyphFont>& fonts);

/// `dir`/glyphs-<16 hex digits of key>.bin
std::filesystem::path glyphCachePath(const std::filesystem::path& dir, std::uint64_t key);

/// Serialises `set` (magic, version, key, contents, then an FNV-1a checksum of all before).
std::string encodeGlyphCache(const GlyphSet& set, std::uint64_t key);

/// Parses a cache file's bytes. Throws maml::Error (naming `where`) when they are truncated,
/// corrupt, of another format version or made for another key.
GlyphSet decodeGlyphCache(const std::string& bytes, std::uint64_t key, const std::string& where);

} // namespace maml
