#include "core/data/glyphs/glyphs.h"

#include "core/data/dataset_registry.h"
#include "core/data/glyphs/glyph_cache.h"
#include "core/data/glyphs/glyph_catalogue.h"
#include "core/data/glyphs/glyph_dataset.h"
#include "core/data/glyphs/glyph_generator.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

namespace maml {
namespace fs = std::filesystem;

namespace {
fs::path cacheDirFor(const GlyphsOptions& options)
{
    return options.cacheDir.empty() ? defaultCacheDir() / "glyphs" : options.cacheDir;
}

void checkOptions(const GlyphsOptions& options)
{
    if (options.imageSize < 8 || options.imageSize > 256)
        throw Error("image size " + std::to_string(options.imageSize) + " is not supported", "glyphs",
                    "Use a size from 8 to 256 (default 28)");
    if (options.samplesPerClass < 1 || options.samplesPerClass > 1000)
        throw Error("samples per class " + std::to_string(options.samplesPerClass) + " is not supported",
                    "glyphs", "Use 1 to 1000 (default 20)");
}

std::string describeDirs(const std::vector<fs::path>& dirs)
{
    std::string s;
    for (const auto& d : dirs.empty() ? GlyphCatalogue::systemFontDirs() : dirs)
        s += (s.empty() ? "" : ", ") + d.string();
    return s;
}

std::vector<GlyphFont> usableFonts(const GlyphCatalogue& catalogue, const GlyphsOptions& options)
{
    auto fonts = catalogue.findFonts(options.fontDirs);
    if (static_cast<int>(fonts.size()) < catalogue.minUsableFonts())
        throw Error("only " + std::to_string(fonts.size()) + " of the " +
                        std::to_string(catalogue.fontNames().size()) +
                        " fonts the Glyphs dataset is drawn from were found (at least " +
                        std::to_string(catalogue.minUsableFonts()) + " are needed)",
                    "font folders: " + describeDirs(options.fontDirs),
                    "Install the font packages: run `sudo packaging/install-deps.sh` (fonts-dejavu-core, "
                    "fonts-liberation2, fonts-freefont-ttf, fonts-urw-base35 and the handwriting fonts)");
    return fonts;
}

std::optional<GlyphSet> loadCache(const fs::path& file, std::uint64_t key)
{
    std::error_code ec;
    if (!fs::exists(file, ec))
        return std::nullopt;
    try {
        return decodeGlyphCache(readFile(file), key, file.string());
    } catch (const Error& e) {
        spdlog::warn("glyphs: ignoring the cache and generating again: {}", e.what());
        return std::nullopt;
    }
}

void saveCache(const fs::path& file, const GlyphSet& set, std::uint64_t key)
{
    try {
        fs::create_directories(file.parent_path());
        writeFileAtomic(file, encodeGlyphCache(set, key));
    } catch (const std::exception& e) {
        // The data is in memory and usable; only the next start will be slower.
        spdlog::warn("glyphs: could not write the cache {}: {}", file.string(), e.what());
    }
}
} // namespace

std::unique_ptr<ImageDataset> openGlyphs(const GlyphsOptions& options)
{
    checkOptions(options);
    const auto& catalogue = GlyphCatalogue::embedded();
    auto fonts = usableFonts(catalogue, options);
    const auto key =
        glyphCacheKey(options.seed, options.imageSize, options.samplesPerClass, catalogue.jsonText(), fonts);
    const fs::path file = glyphCachePath(cacheDirFor(options), key);
    if (auto cached = loadCache(file, key))
        return std::make_unique<GlyphDataset>(std::move(*cached), file);

    const auto start = std::chrono::steady_clock::now();
    GlyphSet set = GlyphGenerator(catalogue, std::move(fonts), options).generate();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    spdlog::info("glyphs: generated {} classes from {} fonts in {:.2f} s", set.classes.size(),
                 set.fontNames.size(), seconds);
    saveCache(file, set, key);
    return std::make_unique<GlyphDataset>(std::move(set), file);
}

} // namespace maml
