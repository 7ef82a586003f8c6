#include "core/util/atomic_file.h"

#include "core/util/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

namespace maml {
namespace fs = std::filesystem;

namespace {
fs::path temporaryBeside(const fs::path& path)
{
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return path.parent_path() / ("." + path.filename().string() + ".tmp" + std::to_string(rng() % 1000000));
}

void ensureParent(const fs::path& path)
{
    std::error_code ec;
    // Renaming over a device, pipe or folder (say --out /dev/null) would replace it: refuse.
    const auto status = fs::symlink_status(path, ec);
    if (!ec && fs::exists(status) && !fs::is_regular_file(status))
        throw Error("the output path exists and is not a regular file", path.string(),
                    "Choose a file name, not a folder, device or link");
    ec.clear();
    if (!path.parent_path().empty())
        fs::create_directories(path.parent_path(), ec);
    if (ec)
        throw Error("cannot create the folder: " + ec.message(), path.parent_path().string(),
                    "Check the path and its permissions");
}

void renameOver(const fs::path& tmp, const fs::path& path)
{
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw Error("cannot replace the file: " + ec.message(), path.string(),
                    "Check the folder's permissions; the previous file is unchanged");
    }
}
} // namespace

void writeFileAtomic(const fs::path& path, const std::string& bytes)
{
    ensureParent(path);
    const fs::path tmp = temporaryBeside(path);
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f)
        throw Error(std::string("cannot create a file: ") + std::strerror(errno), tmp.string(),
                    "Check that the folder exists and is writable");
    const size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
    int err = (written == bytes.size()) ? 0 : errno;
    if (std::fflush(f) != 0 && !err)
        err = errno;
    if (!err && ::fsync(fileno(f)) != 0)
        err = errno;
    if (std::fclose(f) != 0 && !err)
        err = errno;
    if (err) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw Error(std::string("cannot write the file: ") + std::strerror(err), path.string(),
                    err == ENOSPC
                        ? "The disk is full: free some space and try again; the previous file is unchanged"
                        : "Check the disk and permissions; the previous file is unchanged");
    }
    renameOver(tmp, path);
}

void writeFileAtomicWith(const fs::path& path, const std::function<void(const fs::path&)>& writer)
{
    ensureParent(path);
    const fs::path tmp = temporaryBeside(path);
    std::error_code ec;
    try {
        writer(tmp);
    } catch (const Error&) {
        fs::remove(tmp, ec);
        throw;
    } catch (const std::exception& e) {
        fs::remove(tmp, ec);
        throw Error(std::string("cannot write the file: ") + e.what(), path.string(),
                    "Check free disk space and permissions; the previous file is unchanged");
    }
    const auto size = fs::file_size(tmp, ec);
    if (ec || size == 0) {
        fs::remove(tmp, ec);
        throw Error("writing produced no data", path.string(),
                    "Check free disk space; the previous file is unchanged");
    }
    renameOver(tmp, path);
}

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open the file", path.string(), "Check that it exists and is readable");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throw Error("cannot read the file", path.string(), "Check the disk and permissions");
    return ss.str();
}

} // namespace maml
