#include "core/data/dataset_registry.h"
#include "core/data/downloader.h"
#include "core/util/error.h"
#include "core/util/md5.h"
#include "test_support.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

using namespace maml;
using maml::test::errorOf;
using maml::test::TempDir;
namespace fs = std::filesystem;

namespace {
/// Serves a CIFAR-format archive on 127.0.0.1 (random free port): /good, /cut (closes after
/// half the bytes) and /missing (404).
class ArchiveServer {
public:
    explicit ArchiveServer(std::string bytes) : m_bytes(std::move(bytes))
    {
        m_server.Get("/good.tar.gz", [this](const httplib::Request&, httplib::Response& res) {
            res.set_content(m_bytes, "application/gzip");
        });
        m_server.Get("/cut.tar.gz", [this](const httplib::Request&, httplib::Response& res) {
            const size_t half = m_bytes.size() / 2;
            res.set_content_provider(m_bytes.size(), "application/gzip",
                                     [this, half](size_t offset, size_t length, httplib::DataSink& sink) {
                                         if (offset >= half)
                                             return false; // drop the connection midway
                                         sink.write(m_bytes.data() + offset, std::min(length, half - offset));
                                         return true;
                                     });
        });
        m_port = m_server.bind_to_any_port("127.0.0.1");
        if (m_port <= 0)
            throw std::runtime_error("cannot bind a local port for the test server");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        // stop() only ends a running loop: wait until it runs (cpp-httplib 0.11 has no wait_until_ready).
        while (!m_server.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~ArchiveServer()
    {
        m_server.stop();
        m_thread.join();
    }
    std::string url(const std::string& path) const
    {
        return "http://127.0.0.1:" + std::to_string(m_port) + path;
    }

private:
    std::string m_bytes;
    httplib::Server m_server;
    int m_port = 0;
    std::thread m_thread;
};

/// A small CIFAR-100 binary archive (4 images per class) and its MD5.
struct SmallArchive {
    TempDir dir;
    std::string bytes, md5;
    SmallArchive()
    {
        test::writeCifarFolder(dir / "src", 3, 1);
        test::makeTarGz(dir / "src", "cifar-100-binary", dir / "a.tar.gz");
        bytes = test::readBytes(dir / "a.tar.gz");
        md5 = Md5::of(bytes);
    }
};

std::vector<std::string> filesIn(const fs::path& dir)
{
    std::vector<std::string> out;
    if (fs::exists(dir))
        for (const auto& e : fs::recursive_directory_iterator(dir))
            out.push_back(fs::relative(e.path(), dir).string());
    return out;
}

} // namespace

TEST(Md5, KnownVectors)
{
    EXPECT_EQ(Md5::of(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(Md5::of("abc"), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(Md5::of("The quick brown fox jumps over the lazy dog"), "9e107d9d372bb6826bd81d3542a419d6");
    const std::string long80(80, 'a'); // crosses a 64-byte block
    Md5 split;
    split.update(long80.data(), 30);
    split.update(long80.data() + 30, 50);
    EXPECT_EQ(split.hexDigest(), "b15af9cdabbaea0516866a33d8fd0f98"); // python3 hashlib.md5(b'a'*80)
}

TEST(Downloader, GoodDownloadVerifiesExtractsAndOpens)
{
    SmallArchive archive;
    ArchiveServer server(archive.bytes);
    TempDir target;
    DownloadOptions options;
    options.expectedMd5 = archive.md5;
    int64_t lastReceived = -1, lastTotal = -1;
    options.progress = [&](int64_t r, int64_t t) { lastReceived = r, lastTotal = t; };
    bool already = true;
    const fs::path folder = fetchCifar100(target.path(), server.url("/good.tar.gz"), options, &already);
    EXPECT_FALSE(already);
    EXPECT_EQ(folder, target / "cifar-100-binary");
    EXPECT_EQ(lastReceived, static_cast<int64_t>(archive.bytes.size()));
    EXPECT_EQ(lastTotal, lastReceived);
    auto ds = openDataset("cifar100:" + target.path().string());
    EXPECT_EQ(ds->classCount(), 100);
    EXPECT_EQ(ds->totalImages(), 400);
    // Only the dataset folder is left: no archive, no temporaries.
    for (const auto& f : filesIn(target.path()))
        EXPECT_EQ(f.rfind("cifar-100-binary", 0), 0u) << f;
    // A second fetch finds the valid copy and downloads nothing.
    fetchCifar100(target.path(), server.url("/missing"), options, &already);
    EXPECT_TRUE(already);
}

TEST(Downloader, ChecksumMismatchLeavesNothing)
{
    SmallArchive archive;
    ArchiveServer server(archive.bytes);
    TempDir target;
    DownloadOptions options;
    options.expectedMd5 = "0123456789abcdef0123456789abcdef";
    const std::string msg =
        errorOf([&] { fetchCifar100(target.path(), server.url("/good.tar.gz"), options); });
    EXPECT_NE(msg.find("checksum mismatch"), std::string::npos) << msg;
    EXPECT_NE(msg.find(archive.md5), std::string::npos) << msg;
    EXPECT_TRUE(filesIn(target.path()).empty());
}

TEST(Downloader, ConnectionCutMidwayLeavesNothing)
{
    SmallArchive archive;
    ArchiveServer server(archive.bytes);
    TempDir target;
    DownloadOptions options;
    options.expectedMd5 = archive.md5;
    const std::string msg =
        errorOf([&] { fetchCifar100(target.path(), server.url("/cut.tar.gz"), options); });
    EXPECT_NE(msg.find("connection was cut"), std::string::npos) << msg;
    EXPECT_NE(msg.find("of " + std::to_string(archive.bytes.size()) + " bytes"), std::string::npos) << msg;
    EXPECT_TRUE(filesIn(target.path()).empty());
}

TEST(Downloader, HttpErrorAndCancelLeaveNothing)
{
    SmallArchive archive;
    ArchiveServer server(archive.bytes);
    TempDir target;
    const std::string msg = errorOf([&] { downloadFile(server.url("/missing"), target / "x.tar.gz"); });
    EXPECT_NE(msg.find("HTTP 404"), std::string::npos) << msg;
    std::atomic<bool> cancel{true};
    DownloadOptions options;
    options.cancel = &cancel;
    EXPECT_THROW(downloadFile(server.url("/good.tar.gz"), target / "x.tar.gz", options), Cancelled);
    EXPECT_TRUE(filesIn(target.path()).empty());
}

TEST(Downloader, DamagedArchiveLeavesNoHalfExtractedFolder)
{
    SmallArchive archive;
    TempDir target;
    test::writeBytes(target / "cut.tar.gz", archive.bytes.substr(0, archive.bytes.size() / 2));
    const std::string msg = errorOf([&] { extractArchive(target / "cut.tar.gz", target / "out"); });
    EXPECT_NE(msg.find("damaged or truncated"), std::string::npos) << msg;
    EXPECT_FALSE(fs::exists(target / "out"));
}

TEST(Downloader, ExtractionRefusesPathsOutsideTheFolder)
{
    TempDir tmp;
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, (tmp / "evil.tar").c_str());
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, "../evil.txt");
    archive_entry_set_size(e, 4);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_write_header(a, e);
    archive_write_data(a, "evil", 4);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    EXPECT_THROW(extractArchive(tmp / "evil.tar", tmp / "out"), Error);
    EXPECT_FALSE(fs::exists(tmp / "evil.txt"));
    EXPECT_FALSE(fs::exists(tmp / "out"));
}
