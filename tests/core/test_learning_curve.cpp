// A run's validation curve read back from metrics.jsonl (maml-cli curve, docs/cifar.md): the best
// point, time to accuracy, the thinned table, and the refusals.
#include "core/engine/learning_curve.h"
#include "core/engine/metrics_log.h"
#include "core/util/error.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <limits>

namespace maml {
namespace {

namespace fs = std::filesystem;

class Curve : public ::testing::Test {
protected:
    void SetUp() override { m_dir = test::tempDir("learning-curve"); }
    void TearDown() override { fs::remove_all(m_dir); }

    /// Train lines every iteration 1..n (accuracy rising from 0.5 by 0.01 each, up to 1), a validation
    /// every 10 with the accuracies given, 2 s per iteration.
    void writeRun(int n, const std::vector<double>& val)
    {
        MetricsLog log(m_dir / "metrics.jsonl");
        for (int i = 1; i <= n; ++i) {
            nlohmann::json r = {
                {"iteration", i}, {"seconds", 2.0 * i}, {"train_accuracy", std::min(1.0, 0.5 + 0.01 * i)}};
            if (i % 10 == 0 && static_cast<size_t>(i / 10 - 1) < val.size()) {
                r["val_accuracy"] = val[i / 10 - 1];
                r["val_ci95"] = 0.02;
                r["val_loss"] = 1.0;
            }
            log.append(r);
        }
    }
    fs::path m_dir;
};

TEST_F(Curve, BestAndTimeToAccuracy)
{
    writeRun(50, {0.40, 0.62, 0.70, 0.66, 0.70});
    const auto c = readLearningCurve(m_dir);
    ASSERT_EQ(c.validation.size(), 5u);
    EXPECT_EQ(c.lastIteration, 50);
    EXPECT_DOUBLE_EQ(c.lastSeconds, 100.0);
    EXPECT_EQ(c.trainLines, 50);
    // The last 10% of the train lines: iterations 46..50.
    EXPECT_NEAR(c.meanTrainAccuracy, 0.5 + 0.01 * 48, 1e-12);

    const auto best = c.best();
    ASSERT_TRUE(best);
    EXPECT_EQ(best->iteration, 30); // the earliest of two equal bests
    EXPECT_DOUBLE_EQ(best->seconds, 60.0);
    EXPECT_DOUBLE_EQ(best->ci95, 0.02);

    const auto at60 = c.firstReaching(0.60);
    ASSERT_TRUE(at60);
    EXPECT_EQ(at60->iteration, 20);
    const auto exact = c.firstReaching(0.70); // at or above
    ASSERT_TRUE(exact);
    EXPECT_EQ(exact->iteration, 30);
    EXPECT_FALSE(c.firstReaching(0.6975 + 0.01));
}

TEST_F(Curve, WhereTheCurveFlattensAndItsCpuTime)
{
    // 0.40 0.60 0.70 0.72 0.71 0.73 0.72 0.72: running means of 3 are 0.40 0.50 0.567 0.673 0.71
    // 0.72 0.72 0.7233; within one point of 0.7233 first at the sixth validation (iteration 60).
    writeRun(70, {0.40, 0.60, 0.70, 0.72, 0.71, 0.73, 0.72});
    {
        MetricsLog log(m_dir / "metrics.jsonl");
        log.append({{"iteration", 80}, {"seconds", 160.0}, {"cpu_seconds", 90.5}, {"val_accuracy", 0.72}});
    }
    const auto c = readLearningCurve(m_dir);
    const auto flat = c.flattening(3, 0.01);
    ASSERT_TRUE(flat);
    EXPECT_EQ(flat->iteration, 60);
    EXPECT_DOUBLE_EQ(flat->seconds, 120.0);
    // A stricter rule waits longer; a window of one is the raw curve.
    EXPECT_FALSE(c.flattening(3, 0.0)); // its highest is the last one: maybe still rising
    EXPECT_EQ(c.flattening(1, 0.0)->iteration, 60);
    EXPECT_EQ(c.flattening(1, 0.02)->iteration, 40);
    // CPU time is read where the trainer logged it, 0 where not.
    EXPECT_DOUBLE_EQ(c.validation.back().cpuSeconds, 90.5);
    EXPECT_DOUBLE_EQ(c.validation.front().cpuSeconds, 0.0);
    EXPECT_FALSE(LearningCurve{}.flattening());
    // Still rising: only the last validation comes near the top.
    LearningCurve rising;
    for (int i = 1; i <= 4; ++i)
        rising.validation.push_back({10 * i, 2.0 * i, 0, 0.5 + 0.1 * i, 0.02, 1.0});
    EXPECT_FALSE(rising.flattening(3, 0.01));
    EXPECT_EQ(rising.flattening(3, 0.1)->iteration, 30);
}

TEST_F(Curve, ThinnedKeepsTheFirstTheBestAndTheLast)
{
    std::vector<double> val(100, 0.5);
    val[37] = 0.9; // the best, at iteration 380
    writeRun(1000, val);
    const auto c = readLearningCurve(m_dir);
    ASSERT_EQ(c.validation.size(), 100u);
    for (int rows : {3, 5, 20}) {
        const auto t = c.thinned(rows);
        EXPECT_LE(static_cast<int>(t.size()), rows) << rows;
        ASSERT_GE(t.size(), 3u);
        EXPECT_EQ(t.front().iteration, 10);
        EXPECT_EQ(t.back().iteration, 1000);
        bool hasBest = false;
        for (size_t i = 0; i < t.size(); ++i) {
            hasBest = hasBest || t[i].iteration == 380;
            if (i > 0)
                EXPECT_LT(t[i - 1].iteration, t[i].iteration);
        }
        EXPECT_TRUE(hasBest) << rows;
    }
    EXPECT_EQ(c.thinned(200).size(), 100u); // short curves are shown whole
}

TEST_F(Curve, AHalfWrittenLastLineIsSkipped)
{
    writeRun(20, {0.5, 0.6});
    {
        std::ofstream f(m_dir / "metrics.jsonl", std::ios::app);
        f << "{\"iteration\": 21, \"val_accur"; // a line cut short by a crash
    }
    const auto c = readLearningCurve(m_dir);
    EXPECT_EQ(c.validation.size(), 2u);
    EXPECT_EQ(c.lastIteration, 20);
}

TEST_F(Curve, HandEditedValuesOutOfRangeAreSkipped)
{
    writeRun(20, {0.5, 0.6});
    MetricsLog log(m_dir / "metrics.jsonl");
    log.append({{"iteration", 30}, {"seconds", 60.0}, {"val_accuracy", 5.0}});    // an accuracy of 500%
    log.append({{"iteration", 40}, {"seconds", -1.0}, {"val_accuracy", 0.9}});    // negative time
    log.append({{"iteration", 1e300}, {"seconds", 80.0}, {"val_accuracy", 0.9}}); // no such iteration
    log.append({{"iteration", 50},
                {"seconds", 100.0},
                {"train_accuracy", 0.9},
                {"val_accuracy", 0.65},
                {"val_loss", std::numeric_limits<double>::infinity()}}); // written as null: reads as 0
    const auto c = readLearningCurve(m_dir);
    ASSERT_EQ(c.validation.size(), 3u);
    EXPECT_DOUBLE_EQ(c.best()->accuracy, 0.65);
    EXPECT_EQ(c.lastIteration, 50);
    EXPECT_DOUBLE_EQ(c.lastSeconds, 100.0);
}

TEST(MetricsRecord, ReadsATrainersLineAndRefusesImplausibleOnes)
{
    const auto r = parseMetricsRecord({{"iteration", 7},
                                       {"seconds", 3.5},
                                       {"train_loss", 1.2},
                                       {"train_accuracy", 0.4},
                                       {"val_accuracy", 0.6},
                                       {"val_ci95", 0.03}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->iteration, 7);
    EXPECT_DOUBLE_EQ(r->seconds, 3.5);
    EXPECT_TRUE(r->hasTrain);
    EXPECT_TRUE(r->hasValidation);
    EXPECT_DOUBLE_EQ(r->valCi95, 0.03);
    const auto trainOnly = parseMetricsRecord({{"iteration", 8}, {"train_loss", 1.1}});
    ASSERT_TRUE(trainOnly);
    EXPECT_FALSE(trainOnly->hasValidation);
    EXPECT_FALSE(parseMetricsRecord({{"iteration", -1}}));
    EXPECT_FALSE(parseMetricsRecord({{"iteration", 1}, {"train_accuracy", 1.5}}));
    EXPECT_FALSE(parseMetricsRecord({{"iteration", 1}, {"val_ci95", -0.1}}));
    EXPECT_FALSE(parseMetricsRecord({{"iteration", 1}, {"train_loss", 1e20}}));
    EXPECT_FALSE(parseMetricsRecord(nlohmann::json::array({1, 2})));
}

TEST_F(Curve, AFolderWithoutMetricsIsRefusedByName)
{
    try {
        readLearningCurve(m_dir / "nowhere");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("nowhere"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("metrics.jsonl"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace maml
