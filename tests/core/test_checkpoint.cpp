// Checkpoints: bit-exact round trip of weights, optimizer and RNG; clear errors for bad files.
#include "core/engine/checkpoint.h"
#include "core/engine/meta_learner.h"
#include "core/engine/model_factory.h"
#include "core/util/error.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>

#include <fstream>

namespace maml {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<MetaLearner> trainedLearner(const ExperimentConfig& c, int steps)
{
    torch::manual_seed(c.seed);
    auto learner = std::make_unique<MetaLearner>(makeModel(c), learnerOptions(c));
    auto ds = test::syntheticDataset();
    EpisodeSampler sampler(*ds, ds->splitClasses("train"), c.episodeSpec());
    for (int i = 0; i < steps; ++i)
        learner->metaStep(sampler.sampleBatch(i, c.metaBatch));
    return learner;
}

std::string errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(Checkpoint, RoundTripIsBitExact)
{
    const auto c = test::tinyConfig();
    const auto dir = test::tempDir("ckpt-roundtrip");
    auto a = trainedLearner(c, 3);
    CheckpointInfo info;
    info.config = c;
    info.iteration = 3;
    info.bestValAccuracy = 0.5;
    info.bestIteration = 2;
    saveCheckpoint(dir / "a.pt", a->model(), &a->optimizer(), info);
    const auto rngAfterSave = torch::rand({4});

    ExperimentConfig other = c;
    other.seed = 99;
    auto b = trainedLearner(other, 1); // different weights and optimizer state
    const auto loaded = loadCheckpoint(dir / "a.pt", b->model(), &b->optimizer(), /*restoreRng=*/true);
    EXPECT_TRUE(torch::equal(torch::rand({4}), rngAfterSave));
    EXPECT_EQ(loaded.iteration, 3);
    EXPECT_EQ(loaded.bestIteration, 2);
    EXPECT_EQ(loaded.config.toJson(), c.toJson());

    auto pa = a->model().named_parameters();
    auto pb = b->model().named_parameters();
    for (const auto& p : pa)
        EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
    // Identical Adam state: one more identical step gives identical weights.
    auto ds = test::syntheticDataset();
    EpisodeSampler sampler(*ds, ds->splitClasses("train"), c.episodeSpec());
    const auto batch = sampler.sampleBatch(42, c.metaBatch);
    a->metaStep(batch);
    b->metaStep(batch);
    for (const auto& p : pa)
        EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
    fs::remove_all(dir);
}

TEST(Checkpoint, BadFilesGiveClearErrors)
{
    const auto c = test::tinyConfig();
    const auto dir = test::tempDir("ckpt-bad");
    auto a = trainedLearner(c, 1);
    CheckpointInfo info;
    info.config = c;
    saveCheckpoint(dir / "good.pt", a->model(), &a->optimizer(), info);
    const auto size = fs::file_size(dir / "good.pt");
    fs::copy_file(dir / "good.pt", dir / "cut.pt");
    fs::resize_file(dir / "cut.pt", size / 2);
    std::ofstream(dir / "foreign.pt") << "this is not a checkpoint\n";

    auto model = makeModel(c);
    EXPECT_NE(errorOf([&] { loadCheckpoint(dir / "cut.pt", *model); }).find("truncated"), std::string::npos);
    EXPECT_NE(
        errorOf([&] { readCheckpointInfo(dir / "foreign.pt"); }).find("not a MAML Workbench checkpoint"),
        std::string::npos);
    EXPECT_NE(errorOf([&] { loadModel(dir / "missing.pt"); }).find("no such checkpoint"), std::string::npos);

    ExperimentConfig wider = c;
    wider.filters = 8;
    auto other = makeModel(wider);
    EXPECT_NE(errorOf([&] { loadCheckpoint(dir / "good.pt", *other); }).find("different model"),
              std::string::npos);

    const auto back = loadModel(dir / "good.pt");
    EXPECT_EQ(back.info.config.filters, c.filters);
    fs::remove_all(dir);
}

} // namespace
} // namespace maml
