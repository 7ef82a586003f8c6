// Crafted archives must never write outside the extraction folder, and a failed write (a full
// disk, a file-size limit) must never be taken as a finished extraction.
#include "core/data/downloader.h"
#include "core/util/error.h"
#include "core/util/md5.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <unistd.h>

using namespace maml;
using maml::test::errorOf;
using maml::test::TempDir;
namespace fs = std::filesystem;

namespace {
/// One tar member, written by hand so that the tests control every header field (a hard link
/// that carries data is not something libarchive's own writer produces).
struct Member {
    std::string name;
    char type = '0'; ///< '0' file, '1' hard link, '2' symbolic link, '5' directory, '6' FIFO
    std::string data;
    std::string link;
};

void putOctal(char* field, size_t width, uint64_t value)
{
    std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                  static_cast<unsigned long long>(value));
}

/// A pax extended-header record "LEN key=value\n" (LEN counts the whole record).
std::string paxRecord(const std::string& key, const std::string& value)
{
    const std::string body = " " + key + "=" + value + "\n";
    size_t length = body.size() + 1;
    while (std::to_string(length).size() + body.size() != length)
        ++length;
    return std::to_string(length) + body;
}

std::string tarOf(const std::vector<Member>& members);

/// A pax archive of `members` (no compression; libarchive reads it the same). A hard link
/// with data gets a pax extended header first: only pax archives may carry a hard link's data
/// (in plain ustar, readers take its size as 0), which is what the attack uses.
std::string tarOf(const std::vector<Member>& members)
{
    std::string out;
    for (const auto& m : members) {
        if (m.type == '1' && !m.data.empty() && m.name != "PaxHeader")
            out +=
                tarOf({{"PaxHeader", 'x', paxRecord("size", std::to_string(m.data.size()))}}).substr(0, 1024);
        char h[512] = {};
        std::strncpy(h, m.name.c_str(), 99);
        putOctal(h + 100, 8, m.type == '5' ? 0755 : 0644);
        putOctal(h + 108, 8, 0);
        putOctal(h + 116, 8, 0);
        putOctal(h + 124, 12, m.data.size());
        putOctal(h + 136, 12, 1700000000);
        std::memset(h + 148, ' ', 8);
        h[156] = m.type;
        std::strncpy(h + 157, m.link.c_str(), 99);
        std::memcpy(h + 257, "ustar", 6);
        std::memcpy(h + 263, "00", 2);
        unsigned sum = 0;
        for (unsigned char c : h)
            sum += c;
        std::snprintf(h + 148, 8, "%06o", sum);
        out.append(h, 512);
        out += m.data;
        out.append((512 - m.data.size() % 512) % 512, '\0');
    }
    out.append(1024, '\0');
    return out;
}

/// A folder holding `victim` (a file that must survive) and `archive.tar`; the extraction goes
/// to `out` beside them.
struct Scene {
    TempDir dir;
    fs::path victim() const { return dir / "victim.txt"; }
    fs::path archive() const { return dir / "archive.tar"; }
    fs::path out() const { return dir / "out"; }
    explicit Scene(const std::vector<Member>& members)
    {
        test::writeBytes(victim(), "precious");
        test::writeBytes(archive(), tarOf(members));
    }
    std::string extract() const
    {
        return errorOf([&] { extractArchive(archive(), out()); });
    }
    void expectRefusedAndUntouched(const std::string& message) const
    {
        EXPECT_NE(message.find("the archive holds"), std::string::npos) << message;
        EXPECT_EQ(test::readBytes(victim()), "precious");
        EXPECT_FALSE(fs::exists(out())) << "a refused archive leaves no half-extracted folder";
    }
};

/// Runs the test body with the process's current directory set to `dir`: libarchive resolves
/// relative hard-link targets against it, which is how a relative escape used to work.
struct CurrentDirectory {
    fs::path saved = fs::current_path();
    explicit CurrentDirectory(const fs::path& dir) { fs::current_path(dir); }
    ~CurrentDirectory() { fs::current_path(saved); }
};
} // namespace

TEST(ExtractSecurity, DotDotPathIsRefused)
{
    Scene s({{"ok.txt", '0', "fine"}, {"../victim.txt", '0', "owned!"}});
    s.expectRefusedAndUntouched(s.extract());
}

TEST(ExtractSecurity, AbsolutePathIsRefused)
{
    TempDir other;
    Scene s({{(other / "victim.txt").string(), '0', "owned!"}});
    test::writeBytes(other / "victim.txt", "precious");
    s.expectRefusedAndUntouched(s.extract());
    EXPECT_EQ(test::readBytes(other / "victim.txt"), "precious");
}

TEST(ExtractSecurity, SymlinkThenWriteThroughIsRefused)
{
    TempDir outside;
    Scene absolute({{"link", '2', "", outside.path().string()}, {"link/evil.txt", '0', "owned!"}});
    absolute.expectRefusedAndUntouched(absolute.extract());
    Scene relative({{"link", '2', "", "../"}, {"link/victim.txt", '0', "owned!"}});
    relative.expectRefusedAndUntouched(relative.extract());
    Scene nested({{"a/link", '2', "", "../.."}, {"a/link/victim.txt", '0', "owned!"}});
    nested.expectRefusedAndUntouched(nested.extract());
    EXPECT_TRUE(fs::is_empty(outside.path()));
}

TEST(ExtractSecurity, HardLinkWithDataToAnAbsolutePathIsRefused)
{
    TempDir other;
    test::writeBytes(other / "victim.txt", "precious");
    Scene s({{"hl", '1', "owned!", (other / "victim.txt").string()}});
    s.expectRefusedAndUntouched(s.extract());
    EXPECT_EQ(test::readBytes(other / "victim.txt"), "precious");
}

TEST(ExtractSecurity, HardLinkWithoutDataToAnAbsolutePathIsRefused)
{
    TempDir other;
    test::writeBytes(other / "victim.txt", "precious");
    Scene s({{"hl", '1', "", (other / "victim.txt").string()}});
    s.expectRefusedAndUntouched(s.extract());
    EXPECT_EQ(fs::hard_link_count(other / "victim.txt"), 1u);
}

TEST(ExtractSecurity, HardLinkWithDataToARelativePathOutsideIsRefused)
{
    Scene dotdot({{"hl", '1', "owned!", "../victim.txt"}});
    dotdot.expectRefusedAndUntouched(dotdot.extract());
    Scene nodata({{"hl", '1', "", "../victim.txt"}});
    nodata.expectRefusedAndUntouched(nodata.extract());
}

TEST(ExtractSecurity, RelativeHardLinkResolvesInsideTheFolderNotTheCurrentDirectory)
{
    // "victim.txt" exists in the process's current directory but not in the archive: the link
    // must not reach it (libarchive would resolve it against the current directory).
    Scene s({{"hl", '1', "owned!", "victim.txt"}});
    CurrentDirectory cwd(s.dir.path());
    const std::string message = s.extract();
    EXPECT_NE(message, "(no error)");
    EXPECT_EQ(test::readBytes(s.victim()), "precious");
    EXPECT_EQ(fs::hard_link_count(s.victim()), 1u);
    EXPECT_FALSE(fs::exists(s.out()));
}

TEST(ExtractSecurity, LinksInsideTheFolderAndDevicesAreHandled)
{
    Scene inside(
        {{"data/a.txt", '0', "alpha"}, {"data/b.txt", '1', "", "data/a.txt"}, {"alias", '2', "", "data"}});
    EXPECT_EQ(inside.extract(), "(no error)");
    EXPECT_EQ(test::readBytes(inside.out() / "data" / "b.txt"), "alpha");
    EXPECT_EQ(fs::read_symlink(inside.out() / "alias"), "data");
    Scene fifo({{"pipe", '6'}});
    fifo.expectRefusedAndUntouched(fifo.extract());
}

TEST(ExtractSecurity, AShortWriteIsAnErrorNotASuccess)
{
    // A file-size limit makes write(2) fail part-way, as a full disk does; libarchive reports
    // that only as a warning.
    Scene s({{"big.bin", '0', std::string(200 * 1024, 'x')}});
    struct rlimit saved {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto previous = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limited = saved;
    limited.rlim_cur = 64 * 1024;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
    const std::string message = s.extract();
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous);
    EXPECT_NE(message.find("cannot write 'big.bin'"), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(s.out()));
}

namespace {
/// Runs `script` in a private mount namespace where `dir` is a tmpfs of `kb` KiB (root only).
/// Returns false when this machine cannot do that (not root, no unshare).
bool runOnSmallDisk(const fs::path& dir, int kb, const std::string& script, std::string* output, int* code)
{
    if (::geteuid() != 0 || test::runCommand("unshare -m true") != 0)
        return false;
    *code = test::runCommand("unshare -m sh -c 'mount -t tmpfs -o size=" + std::to_string(kb) + "k none " +
                                 dir.string() + " && " + script + "'",
                             output);
    return true;
}
} // namespace

TEST(ExtractSecurity, FetchOnAFullDiskSaysSoAndKeepsNothing)
{
    TempDir src, disk;
    test::writeCifarFolder(src / "src", 40, 10); // ~15 MB of records: more than the disk holds
    test::makeTarGz(src / "src", "cifar-100-binary", src / "a.tar.gz");
    const std::string md5 = Md5::of(test::readBytes(src / "a.tar.gz"));
    // The archive is read from outside the small disk; the extraction fills it.
    const std::string cmd = std::string(MAML_TEST_CLI) + " fetch cifar100 --url file://" +
                            (src / "a.tar.gz").string() + " --md5 " + md5 + " --dir " +
                            (disk / "d").string() + "; echo exit=$?; echo LEFT:; ls -A " +
                            disk.path().string() + "/d";
    std::string out;
    int code = 0;
    if (!runOnSmallDisk(disk.path(), 4096, cmd, &out, &code))
        GTEST_SKIP() << "needs root and unshare(1) for a private tmpfs";
    EXPECT_NE(out.find("disk is full"), std::string::npos) << out;
    EXPECT_NE(out.find("exit=1"), std::string::npos) << out;
    // The verified archive may stay (a second run after freeing space need not download it
    // again); nothing half-extracted does.
    const std::string left = out.substr(out.find("LEFT:"));
    EXPECT_EQ(left.find("cifar-100-binary\n"), std::string::npos) << out;
    EXPECT_EQ(left.find(".cifar-100-extract"), std::string::npos) << out;
    EXPECT_NE(out.find("half-extracted files were removed"), std::string::npos) << out;
}

TEST(ExtractSecurity, FetchRefusesACraftedArchiveAndNamesTheEntry)
{
    TempDir dir;
    test::writeBytes(dir / "victim.txt", "precious");
    test::writeBytes(dir / "evil.tar", tarOf({{"hl", '1', "owned!", (dir / "victim.txt").string()}}));
    const std::string md5 = Md5::of(test::readBytes(dir / "evil.tar"));
    std::string out;
    const int code = test::runCommand(std::string(MAML_TEST_CLI) + " fetch cifar100 --url file://" +
                                          (dir / "evil.tar").string() + " --md5 " + md5 + " --dir " +
                                          (dir / "target").string(),
                                      &out);
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find("hard link 'hl'"), std::string::npos) << out;
    EXPECT_EQ(test::readBytes(dir / "victim.txt"), "precious");
}
