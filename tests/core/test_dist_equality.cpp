// Distributed meta-training over loopback gives what one process gives: the same parameters
// after K iterations (1, 2 and 3 processes), the same validation and evaluation, and a resume
// that is bit-exact with the same number of processes.
#include "core/engine/metrics_log.h"
#include "core/engine/task_range.h"
#include "core/engine/trainer.h"
#include "core/util/atomic_file.h"
#include "test_dist_support.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace maml {
namespace {

namespace fs = std::filesystem;
using test::runCli;

// One process sums the task gradients of a meta-batch in task order in float32; k processes
// sum their contiguous shares, then the all-reduce adds the k partial sums: the same terms,
// grouped differently, so the meta-gradients differ by float32 rounding (~1e-7 relative) and
// the clip uses a norm computed in double instead of torch's float32 one. After 4 Adam steps
// of 1e-3 this leaves the parameters within kParamTolerance, and the network's outputs within
// kOutputTolerance; one task more or less, or a wrong scale, moves parameters by ~1e-4 to 1e-3
// and Adam's first moment by far more than kMomentTolerance.
//
// Except Conv-4's convolution biases: BatchNorm (batch statistics) subtracts them again, so their
// true gradient is 0 and the computed one is rounding noise (~1e-9), which Adam scales up to
// steps of up to the learning rate, differently in each run (measured: up to 2e-3 apart after 4
// iterations, when every other parameter was within 3e-8). They change nothing the network
// computes, so they are compared through its outputs, not by value.
constexpr double kParamTolerance = 1e-6;
constexpr double kOutputTolerance = 1e-5; // logits of a fixed batch of random images
constexpr double kMomentTolerance = 1e-4; // relative to the largest moment
constexpr double kLossTolerance = 1e-5;   // relative: the loss travels as float32

bool cancelledByBatchNorm(const std::string& name)
{
    return name.size() >= 9 && name.compare(name.size() - 9, 9, "conv_bias") == 0;
}

std::vector<nlohmann::json> metricsOf(const fs::path& run)
{
    auto records = MetricsLog(RunPaths{run}.metrics()).read();
    for (auto& r : records) {
        r.erase("seconds");
        r.erase("cpu_seconds");
    }
    return records;
}

void expectSameMetrics(const fs::path& a, const fs::path& b)
{
    const auto ma = metricsOf(a), mb = metricsOf(b);
    ASSERT_EQ(ma.size(), mb.size());
    for (size_t i = 0; i < ma.size(); ++i) {
        EXPECT_EQ(ma[i]["iteration"], mb[i]["iteration"]);
        const double loss = ma[i]["train_loss"].get<double>();
        EXPECT_NEAR(loss, mb[i]["train_loss"].get<double>(), kLossTolerance * std::abs(loss)) << i;
        EXPECT_NEAR(ma[i]["train_accuracy"].get<double>(), mb[i]["train_accuracy"].get<double>(), 1e-6) << i;
        EXPECT_EQ(ma[i].contains("val_accuracy"), mb[i].contains("val_accuracy")) << i;
        if (ma[i].contains("val_accuracy")) // discrete: a flip of one query item moves it by 1/45
            EXPECT_NEAR(ma[i]["val_accuracy"].get<double>(), mb[i]["val_accuracy"].get<double>(), 1e-9) << i;
    }
}

void expectSameState(const fs::path& a, const fs::path& b, const std::string& what)
{
    const auto sa = test::stateOf(RunPaths{a}.last()), sb = test::stateOf(RunPaths{b}.last());
    EXPECT_EQ(sa.iteration, sb.iteration) << what;
    ASSERT_EQ(sa.names, sb.names);
    int compared = 0;
    for (size_t i = 0; i < sa.params.size(); ++i) {
        if (cancelledByBatchNorm(sa.names[i]))
            continue;
        ++compared;
        EXPECT_LE((sa.params[i] - sb.params[i]).abs().max().item<double>(), kParamTolerance)
            << what << ": " << sa.names[i];
    }
    EXPECT_EQ(compared, 14) << "Conv-4 has 18 parameter tensors, 4 of them convolution biases";
    EXPECT_LE((sa.logits - sb.logits).abs().max().item<double>(), kOutputTolerance) << what;
    EXPECT_LE(test::relativeDifference(sa.expAvg, sb.expAvg), kMomentTolerance) << what;
    EXPECT_LE(test::relativeDifference(sa.expAvgSq, sb.expAvgSq), kMomentTolerance) << what;
}

TEST(DistShare, ContiguousSharesCoverEveryTaskOnce)
{
    EXPECT_EQ(shareOf(8, 0, 3), (TaskRange{0, 3}));
    EXPECT_EQ(shareOf(8, 1, 3), (TaskRange{3, 6}));
    EXPECT_EQ(shareOf(8, 2, 3), (TaskRange{6, 8}));
    EXPECT_EQ(shareOf(5, 0, 1), (TaskRange{0, 5}));
    EXPECT_EQ(shareOf(2, 2, 3).size(), 0); // more processes than tasks: the last ones idle
    for (int n : {1, 5, 20, 32})
        for (int w : {1, 2, 3, 7}) {
            int next = 0;
            for (int r = 0; r < w; ++r) {
                const auto s = shareOf(n, r, w);
                EXPECT_EQ(s.begin, next);
                EXPECT_LE(s.size(), n / w + 1);
                EXPECT_GE(s.size(), n / w);
                next = s.end;
            }
            EXPECT_EQ(next, n);
        }
}

class DistEquality : public test::DistRunTest {
protected:
    DistEquality() : DistRunTest("dist-equality") {}
};

TEST_F(DistEquality, OneTwoAndThreeProcessesGiveTheSameParameters)
{
    // 5 tasks: shares 3+2 and 2+2+1, so uneven shares are covered too.
    test::writeDistConfig(m_dir, /*metaBatch=*/5, /*iterations=*/4, /*valEvery=*/2);
    std::string err;
    ASSERT_EQ(runCli(train("one", ""), &err), 0) << err;
    ASSERT_EQ(runCli(train("two", "--nproc 2"), &err), 0) << err;
    EXPECT_NE(err.find("rank 1 is pid"), std::string::npos) << err;
    ASSERT_EQ(runCli(train("three", "--nproc 3"), &err), 0) << err;

    expectSameState(m_dir / "one", m_dir / "two", "1 vs 2 processes");
    expectSameState(m_dir / "one", m_dir / "three", "1 vs 3 processes");
    expectSameMetrics(m_dir / "one", m_dir / "two");
    expectSameMetrics(m_dir / "one", m_dir / "three");
    // The tolerances are far below what two of the training's iterations moved.
    ASSERT_EQ(runCli(train("short", "--iterations 2"), &err), 0) << err;
    const auto atTwo = test::stateOf(RunPaths{m_dir / "short"}.last());
    const auto atFour = test::stateOf(RunPaths{m_dir / "one"}.last());
    ASSERT_EQ(atTwo.iteration, 2);
    EXPECT_GT(test::maxDifference(atTwo.params, atFour.params), 100 * kParamTolerance);
    EXPECT_GT((atTwo.logits - atFour.logits).abs().max().item<double>(), 100 * kOutputTolerance);
    // One run folder: rank 0 writes it, the others only their logs.
    const RunPaths two{m_dir / "two"};
    for (const auto& f : {two.config(), two.metrics(), two.log(), two.last(), two.best(), two.rankLog(1)})
        EXPECT_TRUE(fs::exists(f)) << f;
    EXPECT_FALSE(fs::exists(two.rankLog(0)));
    EXPECT_TRUE(fs::exists(RunPaths{m_dir / "three"}.rankLog(2)));
}

TEST_F(DistEquality, ResumeIsBitExactWithTheSameProcessesAndCloseWithOthers)
{
    test::writeDistConfig(m_dir, /*metaBatch=*/4, /*iterations=*/4, /*valEvery=*/2);
    std::string err;
    ASSERT_EQ(runCli(train("straight", "--nproc 2"), &err), 0) << err;
    for (const char* run : {"same", "other"})
        ASSERT_EQ(runCli(train(run, "--nproc 2 --iterations 2"), &err), 0) << err;
    ASSERT_EQ(runCli("resume --run-dir " + (m_dir / "same").string() + " --iterations 4 --nproc 2", &err), 0)
        << err;
    ASSERT_EQ(runCli("resume --run-dir " + (m_dir / "other").string() + " --iterations 4 --nproc 3", &err), 0)
        << err;

    const auto straight = test::stateOf(RunPaths{m_dir / "straight"}.last());
    const auto same = test::stateOf(RunPaths{m_dir / "same"}.last());
    ASSERT_EQ(same.iteration, 4);
    for (size_t i = 0; i < straight.params.size(); ++i) {
        EXPECT_TRUE(torch::equal(straight.params[i], same.params[i])) << i;
        EXPECT_TRUE(torch::equal(straight.expAvg[i], same.expAvg[i])) << i;
    }
    expectSameState(m_dir / "straight", m_dir / "other", "resumed with 3 processes instead of 2");
    EXPECT_EQ(metricsOf(m_dir / "straight").size(), metricsOf(m_dir / "same").size());
}

TEST_F(DistEquality, EvaluationSplitOverProcessesMatchesOneProcess)
{
    test::writeDistConfig(m_dir, /*metaBatch=*/2, /*iterations=*/2, /*valEvery=*/2);
    std::string err;
    ASSERT_EQ(runCli(train("run", ""), &err), 0) << err;
    const auto checkpoint = (m_dir / "run" / "checkpoints" / "last.pt").string();
    const auto eval = [&](const std::string& extra) {
        const auto out = m_dir / "eval.json";
        test::CliProcess p("eval --checkpoint " + checkpoint + " --split all --episodes 7 --json " + extra,
                           out, m_dir / "eval.err");
        EXPECT_EQ(p.wait(std::chrono::seconds(600)), 0) << readFile(m_dir / "eval.err");
        auto j = nlohmann::json::parse(readFile(out));
        j.erase("seconds");
        return j;
    };
    const auto one = eval("--threads 1");
    const auto three = eval("--nproc 3");
    EXPECT_EQ(one["episodes"], 7);
    EXPECT_EQ(one, three); // episode for episode the same scores, tallies and confusion matrix
}

} // namespace
} // namespace maml
