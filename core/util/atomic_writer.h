#pragma once
/// \file
/// A file written in pieces under a temporary name and renamed over its real name only when
/// every byte reached the disk: a full disk, a file-size limit or a crash never replaces a
/// good file with a short one.

#include <cstddef>
#include <filesystem>
#include <string>

namespace maml {

/// Writes to a temporary file beside `path`; commit() flushes it to the disk (fsync) and
/// renames it over `path`. A failed write is remembered, not thrown, so a producer that must
/// not be interrupted half-way (torch's serializer, whose writer throws from its destructor)
/// always runs to its end; commit() then reports the first failure. Without a successful
/// commit() the temporary is removed and `path` keeps its previous contents.
class AtomicFileWriter {
public:
    /// Creates the temporary file (and the folder); throws maml::Error if it cannot.
    explicit AtomicFileWriter(std::filesystem::path path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    /// Appends `size` bytes. Always returns `size`; a failure shows in failed() and commit().
    size_t write(const void* data, size_t size) noexcept;
    bool failed() const { return m_error != 0; }

    /// Flushes, fsyncs, closes and renames. Throws maml::Error saying what went wrong
    /// ("the disk is full" for ENOSPC) and removes the temporary; `path` is then unchanged.
    void commit();

    const std::filesystem::path& temporaryPath() const { return m_tmp; }

private:
    [[noreturn]] void fail(int error);
    void discard() noexcept;

    std::filesystem::path m_path;
    std::filesystem::path m_tmp;
    int m_fd = -1;
    int m_error = 0; ///< errno of the first failed write
};

/// The message of a failed write of `path` with errno `error` ("the disk is full" for
/// ENOSPC/EDQUOT, the file-size limit for EFBIG).
std::string describeWriteError(int error);

} // namespace maml
