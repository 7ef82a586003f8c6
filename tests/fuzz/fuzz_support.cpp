#include "fuzz_support.h"

#include "core/modules.h"

#include <archive.h>
#include <archive_entry.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace maml::fuzz {
namespace fs = std::filesystem;

const fs::path& scratch()
{
    static const fs::path dir = [] {
        const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        fs::path d = base / ("maml-fuzz-" + std::to_string(::getpid()));
        fs::create_directories(d);
        std::atexit([] {
            std::error_code ec;
            fs::remove_all(scratch(), ec);
        });
        return d;
    }();
    return dir;
}

void clear()
{
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(scratch(), ec))
        fs::remove_all(e.path(), ec);
}

void writeFile(const fs::path& file, std::string_view bytes)
{
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string gzip(std::string_view bytes)
{
    std::string out(bytes.size() + 1024, '\0');
    size_t used = 0;
    struct archive* a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_raw(a);
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open_memory(a, out.data(), out.size(), &used);
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_size(e, static_cast<la_int64_t>(bytes.size()));
    archive_write_header(a, e);
    archive_write_data(a, bytes.data(), bytes.size());
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    out.resize(used);
    return out;
}

std::pair<std::string_view, std::string_view> splitAt(std::string_view input, std::string_view separator)
{
    const auto at = input.find(separator);
    if (at == std::string_view::npos)
        return {input, {}};
    return {input.substr(0, at), input.substr(at + separator.size())};
}

void quiet()
{
    registerBuiltinModules(); // the models, data sources and presets, as every program does
    spdlog::set_level(spdlog::level::off);
}

void require(bool condition, const char* what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz finding: %s\n", what);
        std::abort();
    }
}

} // namespace maml::fuzz
