// The adapt-then-score evaluation: statistics, determinism, baseline, per-class results.
#include "core/engine/checkpoint.h"
#include "core/engine/evaluator.h"
#include "core/engine/model_factory.h"
#include "core/util/error.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>

namespace maml {
namespace {

namespace fs = std::filesystem;

fs::path freshCheckpoint(const fs::path& dir, const ExperimentConfig& c)
{
    torch::manual_seed(c.seed);
    auto model = makeModel(c);
    CheckpointInfo info;
    info.config = c;
    saveCheckpoint(dir / "model.pt", *model, nullptr, info);
    return dir / "model.pt";
}

TEST(Eval, MeanAndConfidenceInterval)
{
    const auto r = meanCi95({0.0, 1.0});
    EXPECT_DOUBLE_EQ(r.mean, 0.5);
    EXPECT_NEAR(r.ci95, 1.96 * std::sqrt(0.5) / std::sqrt(2.0), 1e-12);
    const auto same = meanCi95({0.7, 0.7, 0.7});
    EXPECT_NEAR(same.ci95, 0.0, 1e-12);
    EXPECT_DOUBLE_EQ(meanCi95({}).mean, 0.0);
}

TEST(Eval, SameEpisodesEveryRunWithBaselineAndPerClassResults)
{
    const auto dir = test::tempDir("eval");
    const auto c = test::tinyConfig();
    const auto ckpt = freshCheckpoint(dir, c);
    EvalOptions o;
    o.episodes = 12;
    int calls = 0;
    const auto a = evaluateCheckpoint(ckpt, o, [&](const EvalProgress& p) {
        ++calls;
        EXPECT_EQ(p.total, 12);
    });
    const auto b = evaluateCheckpoint(ckpt, o);
    EXPECT_EQ(calls, 12);
    EXPECT_EQ(a.episodes, 12);
    EXPECT_EQ(a.episodeAccuracies, b.episodeAccuracies);
    EXPECT_EQ(a.baselineEpisodeAccuracies, b.baselineEpisodeAccuracies);
    EXPECT_TRUE(a.hasBaseline);
    EXPECT_EQ(a.steps, c.innerStepsEval);

    // The test split has 6 classes; every query item is counted once.
    ASSERT_EQ(a.classNames.size(), 6u);
    int total = 0, diagonal = 0;
    for (size_t t = 0; t < 6; ++t) {
        int row = 0;
        for (int v : a.confusion[t])
            row += v;
        EXPECT_EQ(row, a.classCounts[t]);
        total += row;
        diagonal += a.confusion[t][t];
        EXPECT_NEAR(a.classAccuracy[t], a.classCounts[t] ? double(a.confusion[t][t]) / a.classCounts[t] : 0.0,
                    1e-12);
    }
    EXPECT_EQ(total, 12 * c.ways * c.queries);
    EXPECT_EQ(static_cast<int>(a.misclassified.size()), total - diagonal);
    EXPECT_NEAR(a.accuracy.mean, double(diagonal) / total, 1e-9); // equal-size episodes
    for (const auto& m : a.misclassified)
        EXPECT_NE(m.trueName, m.predictedName);

    // A different seed gives different episodes; a different split other classes.
    o.seed = 5;
    EXPECT_NE(evaluateCheckpoint(ckpt, o).episodeAccuracies, a.episodeAccuracies);
    o.split = "nonsense";
    EXPECT_THROW(evaluateCheckpoint(ckpt, o), Error);
    fs::remove_all(dir);
}

TEST(Eval, JsonHasTheDocumentedKeys)
{
    const auto dir = test::tempDir("eval-json");
    const auto ckpt = freshCheckpoint(dir, test::tinyConfig());
    EvalOptions o;
    o.episodes = 3;
    o.split = "all";
    const auto j = evaluateCheckpoint(ckpt, o).toJson();
    for (const char* key : {"accuracy", "ci95", "loss", "baseline_accuracy", "baseline_ci95", "episodes",
                            "ways", "shots", "per_class", "misclassified", "confusion"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["episodes"], 3);
    EXPECT_EQ(j["per_class"].size(), 24u);
    fs::remove_all(dir);
}

TEST(Eval, CancelStopsEarly)
{
    const auto dir = test::tempDir("eval-cancel");
    const auto ckpt = freshCheckpoint(dir, test::tinyConfig());
    RunControl control;
    EvalOptions o;
    o.episodes = 50;
    const auto r = evaluateCheckpoint(
        ckpt, o,
        [&](const EvalProgress& p) {
            if (p.done == 4)
                control.cancel = true;
        },
        &control);
    EXPECT_TRUE(r.cancelled);
    EXPECT_EQ(r.episodes, 4);
    fs::remove_all(dir);
}

} // namespace
} // namespace maml
