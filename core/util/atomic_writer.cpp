#include "core/util/atomic_writer.h"

#include "core/util/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <unistd.h>

namespace maml {
namespace fs = std::filesystem;

namespace {
fs::path temporaryBeside(const fs::path& path)
{
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return path.parent_path() / ("." + path.filename().string() + ".tmp" + std::to_string(rng() % 1000000));
}

void checkTarget(const fs::path& path)
{
    if (path.empty() || path.filename().empty() || path.filename() == "." || path.filename() == "..")
        throw Error("no file name given (the output path is \"" + path.string() + "\")", "output file",
                    "Give the name of the file to write, e.g. --out episode.png");
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

/// Makes a finished rename durable (best effort: some file systems cannot sync a folder).
void syncFolder(const fs::path& folder)
{
    const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}
} // namespace

std::string describeWriteError(int error)
{
    if (error == ENOSPC || error == EDQUOT)
        return "the disk is full";
    if (error == EFBIG)
        return "the file is larger than this process may write (a file size limit)";
    return std::string("cannot write the file: ") + std::strerror(error);
}

AtomicFileWriter::AtomicFileWriter(fs::path path) : m_path(std::move(path))
{
    checkTarget(m_path);
    m_tmp = temporaryBeside(m_path);
    m_fd = ::open(m_tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (m_fd < 0) {
        const int err = errno;
        if (err == ENOSPC || err == EDQUOT)
            throw Error("the disk is full", m_path.string(),
                        "Free some space and try again; the previous file is unchanged");
        throw Error(std::string("cannot create a file: ") + std::strerror(err), m_tmp.string(),
                    "Check that the folder exists and is writable");
    }
}

AtomicFileWriter::~AtomicFileWriter()
{
    discard();
}

void AtomicFileWriter::discard() noexcept
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!m_tmp.empty()) {
        std::error_code ec;
        fs::remove(m_tmp, ec);
        m_tmp.clear();
    }
}

size_t AtomicFileWriter::write(const void* data, size_t size) noexcept
{
    const char* p = static_cast<const char*>(data);
    size_t left = m_error || m_fd < 0 ? 0 : size;
    while (left > 0) {
        const ssize_t n = ::write(m_fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            m_error = n < 0 ? errno : EIO;
            break;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    return size;
}

void AtomicFileWriter::fail(int error)
{
    discard();
    throw Error(describeWriteError(error), m_path.string(),
                error == ENOSPC || error == EDQUOT
                    ? "Free some space and try again; the previous file is unchanged"
                    : "Check the disk and permissions; the previous file is unchanged");
}

void AtomicFileWriter::commit()
{
    if (m_fd < 0)
        throw Error("the file was already written or discarded", m_path.string(), "Report this as a bug");
    if (m_error)
        fail(m_error);
    if (::fsync(m_fd) != 0)
        fail(errno);
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0)
        fail(errno);
    std::error_code ec;
    fs::rename(m_tmp, m_path, ec);
    if (ec) {
        discard();
        throw Error("cannot replace the file: " + ec.message(), m_path.string(),
                    "Check the folder's permissions; the previous file is unchanged");
    }
    m_tmp.clear();
    syncFolder(m_path.parent_path());
}

} // namespace maml
