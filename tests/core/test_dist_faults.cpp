// Faults of distributed runs: a killed or hung worker stops the others with a message naming
// it, and resume finishes the run; a port in use, an unreachable master and ranks started with
// different settings are clear errors.
#include "core/dist/collective.h"
#include "core/dist/setup_check.h"
#include "core/engine/checkpoint.h"
#include "core/engine/trainer.h"
#include "core/util/atomic_file.h"
#include "test_dist_support.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <map>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace maml {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::CliProcess;

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

/// A TCP socket listening on a free port of this machine, for as long as the object lives.
class ListeningSocket {
public:
    ListeningSocket()
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_ANY);
        socklen_t len = sizeof a;
        ::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::listen(m_fd, 4);
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
    }
    ~ListeningSocket() { ::close(m_fd); }
    int port() const { return m_port; }

private:
    int m_fd = -1;
    int m_port = 0;
};

/// A port nobody listens on (taken, then released).
int unusedPort()
{
    return ListeningSocket().port();
}

class DistFaults : public test::DistRunTest {
protected:
    DistFaults() : DistRunTest("dist-faults") {}
    /// Waits until the run's metrics reach `iteration` (false after `limit`).
    bool waitForIteration(const fs::path& run, int64_t iteration, CliProcess& p, std::chrono::seconds limit)
    {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline && p.running()) {
            if (test::lastMetricsIteration(RunPaths{run}.metrics()) >= iteration)
                return true;
            std::this_thread::sleep_for(100ms);
        }
        return false;
    }
};

TEST_F(DistFaults, AKilledWorkerStopsTheRunAndResumeFinishesIt)
{
    test::writeDistConfig(m_dir, /*metaBatch=*/3, /*iterations=*/150, /*valEvery=*/10);
    const auto run = m_dir / "run";
    CliProcess p(train("run", "--nproc 3"), m_dir / "out", m_dir / "err");
    ASSERT_TRUE(waitForIteration(run, 25, p, 600s)) << readFile(m_dir / "err");
    const int victim = test::rankPid(readFile(m_dir / "err"), 1);
    ASSERT_GT(victim, 0) << readFile(m_dir / "err");
    const int64_t saved = readCheckpointInfo(RunPaths{run}.last()).iteration;
    ASSERT_EQ(::kill(victim, SIGKILL), 0);
    const auto killedAt = std::chrono::steady_clock::now();
    EXPECT_EQ(p.wait(300s), 1);
    // The others stop at once: a dead peer closes its connections (no timeout to wait out).
    EXPECT_LT(std::chrono::steady_clock::now() - killedAt, 100s);
    const auto err = readFile(m_dir / "err");
    EXPECT_TRUE(contains(err, "rank 1 (pid " + std::to_string(victim) + ") was killed by signal 9")) << err;
    EXPECT_TRUE(contains(err, "maml-cli resume --run-dir " + run.string())) << err;
    // Nothing checkpointed is lost, and the checkpoint is whole.
    const auto info = readCheckpointInfo(RunPaths{run}.last());
    EXPECT_GE(info.iteration, saved);
    EXPECT_LT(info.iteration, 150);

    std::string resumed;
    ASSERT_EQ(test::runCli("resume --run-dir " + run.string() + " --nproc 2", &resumed), 0) << resumed;
    EXPECT_EQ(readCheckpointInfo(RunPaths{run}.last()).iteration, 150);
    EXPECT_EQ(test::lastMetricsIteration(RunPaths{run}.metrics()), 150);
}

TEST_F(DistFaults, AHungWorkerStopsTheOthersWithinTheTimeout)
{
    test::writeDistConfig(m_dir, /*metaBatch=*/3, /*iterations=*/100000, /*valEvery=*/50);
    const auto run = m_dir / "run";
    CliProcess p(train("run", "--nproc 3 --timeout 15"), m_dir / "out", m_dir / "err");
    ASSERT_TRUE(waitForIteration(run, 5, p, 600s)) << readFile(m_dir / "err");
    const int victim = test::rankPid(readFile(m_dir / "err"), 2);
    ASSERT_GT(victim, 0);
    ASSERT_EQ(::kill(victim, SIGSTOP), 0);
    const auto stoppedAt = std::chrono::steady_clock::now();
    EXPECT_EQ(p.wait(300s), 1);
    const auto took = std::chrono::steady_clock::now() - stoppedAt;
    EXPECT_GE(took, 10s);  // the others waited for it ...
    EXPECT_LT(took, 120s); // ... for about the timeout (15 s), plus the launcher's grace period
    const auto err = readFile(m_dir / "err");
    EXPECT_TRUE(contains(err, "rank 2 (pid " + std::to_string(victim) + ") is stopped")) << err;
    EXPECT_TRUE(contains(err, "the distributed run stopped at meta-iteration")) << err;
    EXPECT_NO_THROW(readCheckpointInfo(RunPaths{run}.last()));
}

TEST_F(DistFaults, APortInUseIsAClearError)
{
    test::writeDistConfig(m_dir, 2, 2, 2);
    ListeningSocket taken;
    std::string err;
    EXPECT_EQ(test::runCli(
                  train("run", "--nproc 2 --timeout 20 --master 127.0.0.1:" + std::to_string(taken.port())),
                  &err, 300s),
              1);
    EXPECT_TRUE(contains(err, "port " + std::to_string(taken.port()) + " is already in use")) << err;
    EXPECT_TRUE(contains(err, "--master HOST:PORT")) << err;
}

TEST_F(DistFaults, AnUnreachableMasterIsAClearError)
{
    test::writeDistConfig(m_dir, 2, 2, 2);
    const int port = unusedPort();
    std::string err;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(test::runCli(train("run", "--world-size 2 --rank 1 --timeout 3 --master 127.0.0.1:" +
                                            std::to_string(port)),
                           &err, 300s),
              1);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 120s);
    EXPECT_TRUE(contains(err, "cannot reach rank 0 at 127.0.0.1:" + std::to_string(port))) << err;
}

TEST_F(DistFaults, RanksWithDifferentSettingsRefuseToStart)
{
    test::writeDistConfig(m_dir, 2, 2, 2);
    const std::string master =
        "--world-size 2 --timeout 60 --master 127.0.0.1:" + std::to_string(unusedPort());
    CliProcess rank0(train("run", master + " --rank 0 --seed 1"), m_dir / "out0", m_dir / "err0");
    CliProcess rank1(train("run", master + " --rank 1 --seed 2"), m_dir / "out1", m_dir / "err1");
    EXPECT_EQ(rank0.wait(300s), 1);
    EXPECT_EQ(rank1.wait(300s), 1);
    for (const char* err : {"err0", "err1"})
        EXPECT_TRUE(contains(readFile(m_dir / err),
                             "ranks 0 and 1 were given different settings: seed is 1 on "
                             "rank 0 but 2 on rank 1"))
            << readFile(m_dir / err);
    EXPECT_FALSE(fs::exists(m_dir / "run" / "config.json")); // refused before anything was written
}

TEST_F(DistFaults, TorchrunEnvironmentVariablesJoinTheRun)
{
    // Two ranks given only WORLD_SIZE, RANK, MASTER_ADDR and MASTER_PORT, as torchrun sets them.
    test::writeDistConfig(m_dir, /*metaBatch=*/2, /*iterations=*/6, /*valEvery=*/3);
    const auto run = m_dir / "run";
    const std::string port = std::to_string(unusedPort());
    ::setenv("WORLD_SIZE", "2", 1);
    ::setenv("MASTER_ADDR", "127.0.0.1", 1);
    ::setenv("MASTER_PORT", port.c_str(), 1);
    ::setenv("RANK", "0", 1);
    CliProcess rank0(train("run", "--timeout 60"), m_dir / "out0", m_dir / "err0");
    ::setenv("RANK", "1", 1);
    CliProcess rank1(train("run", "--timeout 60"), m_dir / "out1", m_dir / "err1");
    for (const char* name : {"WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "RANK"})
        ::unsetenv(name);
    EXPECT_EQ(rank0.wait(300s), 0) << readFile(m_dir / "err0");
    EXPECT_EQ(rank1.wait(300s), 0) << readFile(m_dir / "err1");
    // One run: rank 0 wrote it to the end, rank 1 logged beside it.
    EXPECT_EQ(test::lastMetricsIteration(RunPaths{run}.metrics()), 6);
    EXPECT_EQ(readCheckpointInfo(RunPaths{run}.last()).iteration, 6);
    EXPECT_TRUE(fs::exists(run / "train.rank1.log"));
}

TEST_F(DistFaults, AMalformedEnvironmentVariableIsAClearError)
{
    test::writeDistConfig(m_dir, 2, 2, 2);
    ::setenv("WORLD_SIZE", "two", 1);
    std::string err;
    const int code = test::runCli(train("run", ""), &err, 120s);
    ::unsetenv("WORLD_SIZE");
    EXPECT_EQ(code, 1);
    EXPECT_TRUE(contains(err, "the environment variable WORLD_SIZE is not a number: 'two'")) << err;
}

/// Two ranks in one process: rank 0's view, with rank 1's fingerprint already published.
class TwoRankStore : public Collective {
public:
    explicit TwoRankStore(std::string otherFingerprint)
    {
        m_values["maml/setup/1"] = std::move(otherFingerprint);
    }
    int rank() const override { return 0; }
    int worldSize() const override { return 2; }
    double timeoutSeconds() const override { return 1; }
    void setStep(const std::string& step) override { m_step = step; }
    std::string step() const override { return m_step; }
    void allReduceSum(at::Tensor&) override { FAIL() << "the start-up check reduces nothing"; }
    void publish(const std::string& key, const std::string& value) override { m_values[key] = value; }
    std::string fetch(const std::string& key, double) override { return m_values.at(key); }
    void remove(const std::string& key) override { m_values.erase(key); }
    void barrier(const std::string&, double) override {}
    void finish(double) override {}
    double allReduceSeconds() const override { return 0; }
    long allReduceCalls() const override { return 0; }

private:
    std::map<std::string, std::string> m_values;
    std::string m_step;
};

TEST(DistSetupCheck, RanksOfDifferentBuildsRefuseToStart)
{
    const nlohmann::json config = {{"ways", 5}, {"threads", 2}};
    const auto ours = setupFingerprint(config);
    auto theirs = ours;
    theirs["build"] = "0.0.1 0123456789ab";
    TwoRankStore store(theirs.dump());
    try {
        checkSameSetup(store, ours, 1);
        FAIL() << "a rank of another build was accepted";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_TRUE(contains(what, "ranks 0 and 1 run different programs: build")) << what;
        EXPECT_TRUE(contains(what, "0.0.1 0123456789ab")) << what;
        EXPECT_TRUE(contains(what, "Install the same maml-cli build on every machine")) << what;
    }
}

TEST(DistSetupCheck, RankLocalSettingsMayDiffer)
{
    // Threads and processes are each machine's own; the same build and settings pass.
    const auto ours = setupFingerprint({{"ways", 5}, {"threads", 2}, {"processes", 1}});
    TwoRankStore store(setupFingerprint({{"ways", 5}, {"threads", 8}, {"processes", 4}}).dump());
    EXPECT_NO_THROW(checkSameSetup(store, ours, 1));
}

} // namespace
} // namespace maml
