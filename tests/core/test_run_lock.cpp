// Issue 13, item 4: one trainer per run folder. A second trainer (another process, or the same
// process twice) is refused with the PID of the holder; the lock goes when its holder dies.
#include "core/engine/trainer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/run_lock.h"
#include "test_maml_support.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace maml {
namespace {

namespace fs = std::filesystem;
using test::errorOf;

const std::string kSelf = "process " + std::to_string(::getpid());

TEST(RunLock, ASecondHolderIsToldWhoHoldsIt)
{
    test::TempDir dir;
    {
        RunLock first(dir.path(), "train");
        const std::string message = errorOf([&] { RunLock second(dir.path(), "resume"); });
        EXPECT_NE(message.find("in use by " + kSelf), std::string::npos) << message;
        EXPECT_NE(message.find("train"), std::string::npos) << message;
    }
    EXPECT_EQ(errorOf([&] { RunLock again(dir.path(), "resume"); }), "(no error)");
}

TEST(RunLock, TrainAndResumeRefuseALockedRunAndChangeNothing)
{
    test::TempDir dir;
    const fs::path run = dir / "run";
    Trainer::startRun(test::tinyConfig(), run).run();
    const std::string config = test::readBytes(RunPaths{run}.config());
    RunLock holder(run, "train");
    const std::string resumed = errorOf([&] { Trainer::resumeRun(run, 12); });
    EXPECT_NE(resumed.find("in use by " + kSelf), std::string::npos) << resumed;
    const std::string started = errorOf([&] { Trainer::startRun(test::tinyConfig(), run); });
    EXPECT_NE(started.find("in use by " + kSelf), std::string::npos) << started;
    EXPECT_EQ(test::readBytes(RunPaths{run}.config()), config);
}

/// Starts maml-cli with `args` in the background (output discarded); returns its PID.
pid_t spawnCli(const std::vector<std::string>& args)
{
    std::vector<char*> argv{const_cast<char*>(MAML_TEST_CLI)}; // built before fork: no malloc after it
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execv(MAML_TEST_CLI, argv.data());
        ::_exit(127);
    }
    return pid;
}

bool waitFor(const std::function<bool()>& condition)
{
    for (int i = 0; i < 1200 && !condition(); ++i) // up to 2 minutes on a loaded machine
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return condition();
}

TEST(RunLock, TwoProcessesCannotTrainOneFolderAndAKilledHolderReleasesIt)
{
    test::TempDir dir;
    test::writeSyntheticPngs(dir / "images", 0, 6, 5);
    auto c = test::tinyConfig();
    c.dataset = "folder:" + (dir / "images").string();
    c.trainSplit = c.valSplit = c.testSplit = "all";
    c.iterations = 1000000; // runs until killed
    c.valEvery = 1000000;
    writeFileAtomic(dir / "config.json", c.toJson().dump());
    const fs::path run = dir / "run";
    const pid_t holder =
        spawnCli({"train", "--config", (dir / "config.json").string(), "--run-dir", run.string()});
    ASSERT_GT(holder, 0);
    const bool training = waitFor([&] {
        return fs::exists(RunPaths{run}.last()) &&
               test::readBytes(RunLock::fileOf(run)).find("pid=" + std::to_string(holder)) !=
                   std::string::npos;
    });
    std::string resume, train;
    const std::string cli = MAML_TEST_CLI;
    const int resumeCode = test::runCommand(cli + " resume --run-dir " + run.string(), &resume);
    const int trainCode = test::runCommand(
        cli + " train --config " + (dir / "config.json").string() + " --run-dir " + run.string(), &train);
    ::kill(holder, SIGKILL);
    int status = 0;
    ::waitpid(holder, &status, 0);
    ASSERT_TRUE(training) << "the first trainer did not start";
    const std::string byHolder = "in use by process " + std::to_string(holder) + " (maml-cli train)";
    EXPECT_EQ(resumeCode, 1) << resume;
    EXPECT_NE(resume.find(byHolder), std::string::npos) << resume;
    EXPECT_EQ(trainCode, 1) << train;
    EXPECT_NE(train.find(byHolder), std::string::npos) << train;

    // kill -9 released the lock: the run can be taken up again (not run: it has 10^6 iterations).
    EXPECT_EQ(errorOf([&] { Trainer::resumeRun(run); }), "(no error)");
}

} // namespace
} // namespace maml
