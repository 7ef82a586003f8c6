#include "core/data/downloader.h"

#include "core/util/error.h"

#include <archive.h>
#include <archive_entry.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <sched.h>
#include <thread>
#include <unistd.h>

namespace maml {
namespace fs = std::filesystem;

namespace {
using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

/// Every protection libarchive's disk writer has: no absolute paths, no "..", no writing
/// through a symbolic link, and no replacing what an earlier entry wrote (so a hard link
/// cannot be used to rewrite a file). Owners, permissions bits beyond the umask, ACLs, flags
/// and extended attributes are not restored.
constexpr int kSecureFlags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS |
                             ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                             ARCHIVE_EXTRACT_NO_OVERWRITE;

std::string archiveError(struct archive* a)
{
    const char* s = archive_error_string(a);
    return s ? s : "unknown libarchive error";
}

/// A failed write (a full disk, a file size limit) as the user should read it.
Error writeFailure(const std::string& entry, int err, const std::string& detail, const fs::path& destDir)
{
    if (err == ENOSPC || err == EDQUOT)
        return Error("the disk is full: cannot write '" + entry + "'", destDir.string(),
                     "Free some space and run the command again; the half-extracted files were removed");
    return Error("cannot write '" + entry + "': " + (err ? std::string(std::strerror(err)) : detail),
                 destDir.string(),
                 "Check free disk space and permissions; the half-extracted files were removed");
}

/// Relative, without "..", not empty: the name stays inside the extraction folder.
bool staysInside(const std::string& name)
{
    const fs::path p(name);
    if (name.empty() || p.is_absolute())
        return false;
    for (const auto& part : p)
        if (part == "..")
            return false;
    return true;
}

/// A symbolic link at `entry` pointing to `target` resolves inside the folder: relative, and
/// its ".." parts never climb above the folder (counted from the link's own directory).
bool symlinkStaysInside(const std::string& entry, const std::string& target)
{
    const fs::path t(target);
    if (target.empty() || t.is_absolute())
        return false;
    int depth = 0;
    for (const auto& part : fs::path(entry).parent_path())
        if (part != "." && !part.empty())
            ++depth;
    for (const auto& part : t) {
        if (part == "..") {
            if (--depth < 0)
                return false;
        } else if (part != "." && !part.empty()) {
            ++depth;
        }
    }
    return true;
}

/// Refuses what a dataset archive never holds and what could leave the folder.
void checkEntry(struct archive_entry* entry, const std::string& name, const fs::path& archive)
{
    auto refuse = [&](const std::string& what) {
        throw Error("the archive holds " + what, archive.string(),
                    "Only extract archives from sources you trust; nothing was extracted");
    };
    if (!staysInside(name))
        refuse("an unsafe path '" + name + "' (absolute or with '..')");
    if (const char* hard = archive_entry_hardlink(entry)) {
        if (!staysInside(hard))
            refuse("a hard link '" + name + "' to '" + hard + "', outside the folder");
        return;
    }
    switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
    case AE_IFDIR:
        return;
    case AE_IFLNK: {
        const char* target = archive_entry_symlink(entry);
        if (!target || !symlinkStaysInside(name, target))
            refuse("a symbolic link '" + name + "' to '" + (target ? target : "") + "', outside the folder");
        return;
    }
    default:
        refuse("a device, FIFO or socket entry '" + name + "'");
    }
}

void copyData(struct archive* in, struct archive* out, const fs::path& archive, const std::string& entry,
              const fs::path& destDir)
{
    const void* buf;
    size_t size;
    la_int64_t offset;
    while (true) {
        const int r = archive_read_data_block(in, &buf, &size, &offset);
        if (r == ARCHIVE_EOF)
            return;
        if (r < ARCHIVE_WARN)
            throw Error("the archive is damaged or truncated at '" + entry + "': " + archiveError(in),
                        archive.string(), "Download it again");
        // libarchive reports a failed write(2) (ENOSPC, EFBIG) as ARCHIVE_WARN: anything but OK
        // means the file on disk is not what the archive holds.
        if (archive_write_data_block(out, buf, size, offset) != ARCHIVE_OK)
            throw writeFailure(entry, archive_errno(out), archiveError(out), destDir);
    }
}

/// A regular file must be on disk with all its bytes (a short write is never taken as done).
void checkWritten(struct archive_entry* entry, const std::string& name, const fs::path& destDir)
{
    if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry) ||
        !archive_entry_size_is_set(entry))
        return;
    struct stat st {};
    if (::lstat(name.c_str(), &st) != 0 || st.st_size != archive_entry_size(entry))
        throw writeFailure(name, 0, "the file on disk is shorter than in the archive", destDir);
}

/// Reads every entry and writes it relative to the current directory (the caller's thread
/// has its own current directory: the extraction folder).
void extractAll(struct archive* in, struct archive* out, const fs::path& archive, const fs::path& destDir,
                const std::atomic<bool>* cancel)
{
    struct archive_entry* entry;
    int r;
    while ((r = archive_read_next_header(in, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        if (cancel && cancel->load())
            throw Cancelled();
        const char* raw = archive_entry_pathname(entry);
        const std::string name = raw ? raw : "";
        checkEntry(entry, name, archive);
        if (archive_write_header(out, entry) != ARCHIVE_OK) {
            const int err = archive_errno(out);
            if (err == ENOSPC || err == EDQUOT)
                throw writeFailure(name, err, archiveError(out), destDir);
            throw Error("refusing or unable to write the entry '" + name + "': " + archiveError(out),
                        archive.string(),
                        "Only extract archives from sources you trust; nothing was extracted");
        }
        if (archive_entry_size(entry) > 0)
            copyData(in, out, archive, name, destDir);
        if (archive_write_finish_entry(out) != ARCHIVE_OK)
            throw writeFailure(name, archive_errno(out), archiveError(out), destDir);
        checkWritten(entry, name, destDir);
    }
    if (r != ARCHIVE_EOF)
        throw Error("the archive is damaged or truncated: " + archiveError(in), archive.string(),
                    "Download it again");
}

void extractHere(const fs::path& archive, const fs::path& destDir, const std::atomic<bool>* cancel)
{
    ArchivePtr in(archive_read_new(), archive_read_free);
    archive_read_support_filter_all(in.get());
    archive_read_support_format_all(in.get());
    if (archive_read_open_filename(in.get(), archive.c_str(), 1 << 16) != ARCHIVE_OK)
        throw Error("cannot open the archive: " + archiveError(in.get()), archive.string(),
                    "Check that the file is a complete .tar.gz/.zip");
    ArchivePtr out(archive_write_disk_new(), archive_write_free);
    archive_write_disk_set_options(out.get(), kSecureFlags);
    extractAll(in.get(), out.get(), archive, destDir, cancel);
    if (archive_write_close(out.get()) != ARCHIVE_OK)
        throw writeFailure(destDir.string(), archive_errno(out.get()), archiveError(out.get()), destDir);
}
} // namespace

void extractArchive(const fs::path& archive, const fs::path& destDir, const std::atomic<bool>* cancel)
{
    if (fs::exists(destDir))
        throw Error("the extraction folder already exists", destDir.string(),
                    "Remove it or choose another folder");
    const fs::path source = fs::absolute(archive);
    fs::create_directories(destDir);
    // libarchive resolves entry names (and hard-link targets) against the current directory.
    // Extracting on a thread of our own that has its own current directory (unshare(CLONE_FS),
    // Linux) lets every name stay relative, so SECURE_NOABSOLUTEPATHS can be on and no other
    // thread of the process sees a changed directory.
    std::exception_ptr failure;
    std::thread worker([&] {
        try {
            if (::unshare(CLONE_FS) != 0)
                throw Error(std::string("cannot give the extraction its own directory: ") +
                                std::strerror(errno),
                            destDir.string(), "Report this; it needs Linux");
            if (::chdir(destDir.c_str()) != 0)
                throw Error(std::string("cannot enter the extraction folder: ") + std::strerror(errno),
                            destDir.string(), "Check its permissions");
            extractHere(source, destDir, cancel);
        } catch (...) {
            failure = std::current_exception();
        }
    });
    worker.join();
    if (failure) {
        std::error_code ec;
        fs::remove_all(destDir, ec);
        std::rethrow_exception(failure);
    }
}

} // namespace maml
