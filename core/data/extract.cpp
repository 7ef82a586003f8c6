#include "core/data/downloader.h"

#include "core/util/error.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace maml {
namespace fs = std::filesystem;

namespace {
using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

std::string archiveError(struct archive* a)
{
    const char* s = archive_error_string(a);
    return s ? s : "unknown libarchive error";
}

void copyData(struct archive* in, struct archive* out, const fs::path& archive, const std::string& entry)
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
        if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_WARN)
            throw Error("cannot write '" + entry + "': " + archiveError(out), archive.string(),
                        "Check free disk space and permissions");
    }
}

/// Relative, without "..": the entry stays inside the extraction folder.
bool isSafeEntry(const std::string& name)
{
    const fs::path p(name);
    if (name.empty() || p.is_absolute())
        return false;
    for (const auto& part : p)
        if (part == "..")
            return false;
    return true;
}

void extractAll(struct archive* in, struct archive* out, const fs::path& archive, const fs::path& destDir,
                const std::atomic<bool>* cancel)
{
    struct archive_entry* entry;
    int r;
    while ((r = archive_read_next_header(in, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        if (cancel && cancel->load())
            throw Cancelled();
        const std::string name = archive_entry_pathname(entry);
        if (!isSafeEntry(name))
            throw Error("the archive holds an unsafe path '" + name + "'", archive.string(),
                        "Only extract archives from sources you trust");
        archive_entry_set_pathname(entry, (destDir / name).c_str());
        if (archive_write_header(out, entry) < ARCHIVE_WARN)
            throw Error("refusing or unable to write the entry '" + name + "': " + archiveError(out),
                        archive.string(), "The archive holds unsafe paths or the disk is full");
        if (archive_entry_size(entry) > 0)
            copyData(in, out, archive, name);
        if (archive_write_finish_entry(out) < ARCHIVE_WARN)
            throw Error("cannot finish '" + name + "': " + archiveError(out), archive.string(),
                        "Check the disk");
    }
    if (r != ARCHIVE_EOF)
        throw Error("the archive is damaged or truncated: " + archiveError(in), archive.string(),
                    "Download it again");
}
} // namespace

void extractArchive(const fs::path& archive, const fs::path& destDir, const std::atomic<bool>* cancel)
{
    if (fs::exists(destDir))
        throw Error("the extraction folder already exists", destDir.string(),
                    "Remove it or choose another folder");
    ArchivePtr in(archive_read_new(), archive_read_free);
    archive_read_support_filter_all(in.get());
    archive_read_support_format_all(in.get());
    if (archive_read_open_filename(in.get(), archive.c_str(), 1 << 16) != ARCHIVE_OK)
        throw Error("cannot open the archive: " + archiveError(in.get()), archive.string(),
                    "Check that the file is a complete .tar.gz/.zip");
    ArchivePtr out(archive_write_disk_new(), archive_write_free);
    // Entry names are checked by isSafeEntry and then prefixed with destDir (an absolute path),
    // so libarchive's own absolute-path check would refuse every entry.
    archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                  ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    fs::create_directories(destDir);
    try {
        extractAll(in.get(), out.get(), archive, destDir, cancel);
        if (archive_write_close(out.get()) != ARCHIVE_OK)
            throw Error("cannot finish the extraction: " + archiveError(out.get()), destDir.string(),
                        "Check the disk");
    } catch (...) {
        std::error_code ec;
        fs::remove_all(destDir, ec);
        throw;
    }
}

} // namespace maml
