// A short seeded meta-training run beats the no-meta-learning baseline by a clear margin
// (on Glyphs; on the synthetic test data when the Glyphs fonts are not installed).
#include "core/data/dataset_registry.h"
#include "core/engine/evaluator.h"
#include "core/engine/trainer.h"
#include "core/util/error.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>

namespace maml {
namespace {

namespace fs = std::filesystem;

ExperimentConfig shortRunConfig()
{
    ExperimentConfig c = test::tinyConfig();
    try {
        openDataset("glyphs", DatasetOptions{28, 1, false, {}});
        c.dataset = "glyphs";
        c.imageSize = 28;
    } catch (const Error& e) {
        std::cerr << "Glyphs unavailable (" << e.what() << "): using the synthetic data\n";
    }
    c.ways = 5;
    c.shots = 1;
    c.queries = 5;
    c.filters = 16;
    c.metaBatch = 4;
    c.innerStepsTrain = 1;
    c.innerStepsEval = 3;
    c.innerLr = 0.4;
    c.metaLr = 0.003;
    c.iterations = 150;
    c.valEvery = 150;
    c.valEpisodes = 10;
    c.threads = 2;
    c.seed = 3;
    return c;
}

TEST(TrainerGlyphs, ShortRunBeatsTheBaselineClearly)
{
    const auto dir = test::tempDir("glyphs-short");
    const auto c = shortRunConfig();
    auto trainer = Trainer::startRun(c, dir);
    const auto s = trainer.run();
    ASSERT_EQ(s.iterationsDone, c.iterations);

    EvalOptions o;
    o.episodes = 60;
    const auto r = evaluateCheckpoint(RunPaths{dir}.last(), o);
    std::cerr << c.dataset << ": meta-learned " << r.accuracy.mean << " +- " << r.accuracy.ci95
              << ", baseline " << r.baselineAccuracy.mean << " +- " << r.baselineAccuracy.ci95 << "\n";
    EXPECT_GT(r.accuracy.mean, r.baselineAccuracy.mean + 0.10);
    EXPECT_GT(r.accuracy.mean - r.accuracy.ci95, r.baselineAccuracy.mean + r.baselineAccuracy.ci95);
    fs::remove_all(dir);
}

} // namespace
} // namespace maml
