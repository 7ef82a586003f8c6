// Shared by the distributed-run tests: maml-cli processes in the background with a time
// limit, a small image folder and config, and the state a checkpoint holds.
#pragma once

#include "core/engine/config.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace maml::test {

/// A maml-cli command line running in the background (its own process group), stdout and
/// stderr to files. The destructor kills what is left of it.
class CliProcess {
public:
    /// Runs `MAML_TEST_CLI args` with stdout to `out` and stderr to `err`.
    CliProcess(const std::string& args, const std::filesystem::path& out, const std::filesystem::path& err);
    ~CliProcess();
    CliProcess(const CliProcess&) = delete;
    CliProcess& operator=(const CliProcess&) = delete;

    /// Waits up to `limit` for the exit; the exit code, or -1 (killed by a signal or still
    /// running at the limit: then it is killed).
    int wait(std::chrono::seconds limit);
    bool running();
    int pid() const { return m_pid; }

private:
    int m_pid = -1;
    int m_code = -2;
};

/// A test with its own temporary folder (removed unless the test failed, so a failure leaves
/// its runs to look at) holding config.json and the run folders; `train` builds the command line.
class DistRunTest : public ::testing::Test {
protected:
    explicit DistRunTest(std::string folder) : m_folder(std::move(folder)) {}
    void SetUp() override { m_dir = tempDir(m_folder); }
    void TearDown() override
    {
        if (!HasFailure())
            std::filesystem::remove_all(m_dir);
    }
    /// `train` on dir/config.json into dir/`run`, then `extra`.
    std::string train(const std::string& run, const std::string& extra) const
    {
        return "train --config " + (m_dir / "config.json").string() + " --run-dir " + (m_dir / run).string() +
               " " + extra;
    }
    std::filesystem::path m_dir;

private:
    std::string m_folder;
};

/// Runs maml-cli to the end (at most `limit`); returns the exit code, stderr in `err` if given.
int runCli(const std::string& args, std::string* err = nullptr,
           std::chrono::seconds limit = std::chrono::seconds(600));

/// 8 classes x 6 synthetic PNGs under dir/images and the tiny config on them (3-way 1-shot
/// 3-query, Conv-4 with 4 filters on 16x16, every split "all"); written to dir/config.json.
ExperimentConfig writeDistConfig(const std::filesystem::path& dir, int metaBatch, int64_t iterations,
                                 int valEvery);

/// What a checkpoint holds of the training state: the parameters (with their names) and Adam's
/// moments, and the logits the model gives a fixed batch of random images (batch statistics).
struct TrainState {
    std::vector<std::string> names;
    std::vector<torch::Tensor> params, expAvg, expAvgSq;
    torch::Tensor logits;
    int64_t iteration = 0;
};
TrainState stateOf(const std::filesystem::path& checkpoint);

/// Largest absolute element difference between the tensors of a and b (same shapes).
double maxDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b);
/// The same, divided by the largest absolute element of a.
double relativeDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b);

/// The pid of rank `rank` from the launcher's "maml-cli: rank R is pid P" line in `stderrText`
/// (0 if absent).
int rankPid(const std::string& stderrText, int rank);

/// The last "iteration" in a metrics.jsonl (0 when none).
int64_t lastMetricsIteration(const std::filesystem::path& metrics);

} // namespace maml::test
