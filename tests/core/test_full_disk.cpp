// Issue 13, items 2 and 3: a write that fails part-way (a full disk, a file-size limit) never
// replaces a good file, leaves no temporary behind and says so plainly; a file with unwritten
// parts (holes) is refused before it is mapped.
#include "core/data/cifar100.h"
#include "core/engine/checkpoint.h"
#include "core/engine/model_factory.h"
#include "core/util/atomic_file.h"
#include "core/util/atomic_writer.h"
#include "core/util/error.h"
#include "test_maml_support.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace maml {
namespace {

namespace fs = std::filesystem;
using test::errorOf;

/// Files in `dir` whose name says they are a temporary of AtomicFileWriter.
std::vector<std::string> temporariesIn(const fs::path& dir)
{
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.path().filename().string().find(".tmp") != std::string::npos)
            out.push_back(e.path().string());
    return out;
}

/// A file-size limit for the lifetime of the object: write(2) then fails part-way with EFBIG,
/// as it fails with ENOSPC on a full disk (SIGXFSZ is ignored so the process survives).
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        ::getrlimit(RLIMIT_FSIZE, &m_saved);
        m_previous = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit limited = m_saved;
        limited.rlim_cur = bytes;
        m_ok = ::setrlimit(RLIMIT_FSIZE, &limited) == 0;
    }
    ~FileSizeLimit()
    {
        ::setrlimit(RLIMIT_FSIZE, &m_saved);
        std::signal(SIGXFSZ, m_previous);
    }
    bool ok() const { return m_ok; }

private:
    struct rlimit m_saved {};
    void (*m_previous)(int) = nullptr;
    bool m_ok = false;
};

TEST(FullDisk, AShortWriteKeepsThePreviousFileAndNoTemporary)
{
    test::TempDir dir;
    writeFileAtomic(dir / "a.json", "old contents");
    const std::string big(256 * 1024, 'x');
    std::string message;
    {
        FileSizeLimit limit(64 * 1024);
        ASSERT_TRUE(limit.ok());
        message = errorOf([&] { writeFileAtomic(dir / "a.json", big); });
    }
    EXPECT_NE(message.find("file size limit"), std::string::npos) << message;
    EXPECT_NE(message.find("the previous file is unchanged"), std::string::npos) << message;
    EXPECT_EQ(test::readBytes(dir / "a.json"), "old contents");
    EXPECT_TRUE(temporariesIn(dir.path()).empty());
}

TEST(FullDisk, WriteErrorsSayTheDiskIsFull)
{
    EXPECT_EQ(describeWriteError(ENOSPC), "the disk is full");
    EXPECT_EQ(describeWriteError(EDQUOT), "the disk is full");
    EXPECT_NE(describeWriteError(EACCES).find("Permission denied"), std::string::npos);
}

TEST(FullDisk, AnUncommittedWriterLeavesNothing)
{
    test::TempDir dir;
    {
        AtomicFileWriter w(dir / "f.bin");
        w.write("abc", 3);
        EXPECT_TRUE(fs::exists(w.temporaryPath()));
    }
    EXPECT_FALSE(fs::exists(dir / "f.bin"));
    EXPECT_TRUE(temporariesIn(dir.path()).empty());
}

TEST(FullDisk, AnEmptyOutputNameIsRefusedPlainly)
{
    const std::string message = errorOf([] { writeFileAtomic("", "x"); });
    EXPECT_NE(message.find("no file name given"), std::string::npos) << message;
    EXPECT_EQ(message.find("Success"), std::string::npos) << message;
    std::string out;
    EXPECT_EQ(test::runCommand(std::string(MAML_TEST_CLI) + " sample --dataset glyphs --out ''", &out), 1)
        << out;
    EXPECT_NE(out.find("no file name given"), std::string::npos) << out;
}

TEST(FullDisk, ACheckpointThatCannotBeWrittenLeavesThePreviousOneIntact)
{
    test::TempDir dir;
    auto c = test::tinyConfig();
    c.filters = 16; // about 30 KB of weights
    torch::manual_seed(1);
    auto model = makeModel(c);
    CheckpointInfo info;
    info.config = c;
    info.iteration = 3;
    const fs::path file = dir / "checkpoints" / "last.pt";
    saveCheckpoint(file, *model, nullptr, info);
    const std::string before = test::readBytes(file);
    ASSERT_GT(before.size(), 4096u);

    // The abort this guards against: torch's writer threw from its destructor (exit 134).
    info.iteration = 6;
    std::string message;
    {
        FileSizeLimit limit(before.size() / 2);
        ASSERT_TRUE(limit.ok());
        message = errorOf([&] { saveCheckpoint(file, *model, nullptr, info); });
    }
    EXPECT_NE(message.find("file size limit"), std::string::npos) << message;
    EXPECT_EQ(test::readBytes(file), before);
    EXPECT_EQ(readCheckpointInfo(file).iteration, 3);
    EXPECT_TRUE(temporariesIn(dir.path()).empty());
}

/// Runs `script` with `dir` a private tmpfs of `kb` KiB (root and unshare(1) needed); false
/// when this machine cannot.
bool runOnSmallDisk(const fs::path& dir, int kb, const std::string& script, std::string* output)
{
    if (::geteuid() != 0 || test::runCommand("unshare -m true") != 0)
        return false;
    test::runCommand("unshare -m sh -c 'mount -t tmpfs -o size=" + std::to_string(kb) + "k none " +
                         dir.string() + " && " + script + "'",
                     output);
    return true;
}

TEST(FullDisk, TrainingOnAFullDiskStopsCleanlyAndResumeStillWorks)
{
    test::TempDir src, disk;
    test::writeSyntheticPngs(src / "images", 0, 6, 5);
    auto c = test::tinyConfig();
    c.dataset = "folder:" + (src / "images").string();
    c.trainSplit = c.valSplit = c.testSplit = "all";
    c.filters = 16; // last.pt about 90 KB (Adam state included), best.pt a third of it
    c.iterations = 2;
    c.valEvery = 2;
    writeFileAtomic(src / "config.json", c.toJson().dump());
    const std::string cli = MAML_TEST_CLI, run = (disk / "run").string();
    // Train 2 iterations (last.pt, best.pt), fill the disk but for 16 KB (config.json still
    // fits, a checkpoint does not), then continue to 4: the checkpoint at 4 cannot be written.
    const std::string script =
        cli + " train --config " + (src / "config.json").string() + " --run-dir " + run +
        " >/dev/null 2>&1; " + "cp " + run + "/checkpoints/last.pt " + run + "/checkpoints/best.pt " +
        src.path().string() + "/; " + "avail=$(df -k --output=avail " + disk.path().string() +
        " | tail -1); " + "dd if=/dev/zero of=" + disk.path().string() +
        "/fill bs=1k count=$((avail - 16)) 2>/dev/null; " + cli + " resume --run-dir " + run +
        " --iterations 4; echo exit=$?; " + "cmp " + run + "/checkpoints/last.pt " + src.path().string() +
        "/last.pt && echo last-intact; " + "cmp " + run + "/checkpoints/best.pt " + src.path().string() +
        "/best.pt && echo best-intact; " + "ls -A " + run + "/checkpoints; " + "rm " + disk.path().string() +
        "/fill; " + cli + " resume --run-dir " + run + " >/dev/null 2>&1; echo resumed=$?";
    std::string out;
    if (!runOnSmallDisk(disk.path(), 1024, script, &out))
        GTEST_SKIP() << "needs root and unshare(1) for a private tmpfs";
    EXPECT_NE(out.find("the disk is full"), std::string::npos) << out;
    EXPECT_NE(out.find("exit=1"), std::string::npos) << out;
    EXPECT_EQ(out.find("terminate called"), std::string::npos) << out;
    EXPECT_NE(out.find("last-intact"), std::string::npos) << out;
    EXPECT_NE(out.find("best-intact"), std::string::npos) << out;
    EXPECT_EQ(out.find(".tmp"), std::string::npos) << "no temporary is left: " << out;
    EXPECT_NE(out.find("resumed=0"), std::string::npos) << out;
}

TEST(FullDisk, AFileWithHolesIsRefusedBeforeItIsMapped)
{
    test::TempDir dir;
    const fs::path root = test::writeCifarFolder(dir.path(), 2, 1);
    const fs::path train = root / "train.bin";
    // What an extraction that failed on a full disk leaves: the full length, the end never written.
    const auto size = fs::file_size(train);
    const std::string head = test::readBytes(train).substr(0, 4096);
    fs::remove(train);
    const int fd = ::open(train.c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
    const off_t hole = ::lseek(fd, 0, SEEK_HOLE);
    ::close(fd);
    if (hole < 0 || static_cast<uintmax_t>(hole) >= size)
        GTEST_SKIP() << "this file system does not report holes (SEEK_HOLE)";
    const std::string message = errorOf([&] { Cifar100Dataset ds(dir.path()); });
    EXPECT_NE(message.find("unwritten parts"), std::string::npos) << message;
    EXPECT_NE(message.find("train.bin"), std::string::npos) << message;
}

} // namespace
} // namespace maml
