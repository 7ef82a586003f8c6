// Training runs: run directory contents, resume = uninterrupted run, cancel, NaN guard.
#include "core/engine/checkpoint.h"
#include "core/engine/meta_learner.h"
#include "core/engine/metrics_log.h"
#include "core/engine/model_factory.h"
#include "core/engine/trainer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>

namespace maml {
namespace {

namespace fs = std::filesystem;

/// Cancels the run once `stopAt` iterations are done; records what it saw.
struct Recorder final : TrainObserver {
    RunControl* control = nullptr;
    int64_t stopAt = -1;
    int iterations = 0, validations = 0;
    void onIteration(const TrainProgress& p) override
    {
        ++iterations;
        if (p.iteration == stopAt)
            control->cancel = true;
    }
    void onValidation(const TrainProgress&) override { ++validations; }
};

std::vector<torch::Tensor> weightsOf(const fs::path& checkpoint)
{
    std::vector<torch::Tensor> out;
    for (const auto& p : loadModel(checkpoint).model->parameters())
        out.push_back(p.detach());
    return out;
}

/// The metrics without the wall-clock column.
std::vector<nlohmann::json> metricsOf(const fs::path& dir)
{
    auto records = MetricsLog(RunPaths{dir}.metrics()).read();
    for (auto& r : records) { // timings differ from run to run
        r.erase("seconds");
        r.erase("cpu_seconds");
    }
    return records;
}

TEST(Trainer, WritesTheRunDirectory)
{
    const auto dir = test::tempDir("trainer-run");
    auto trainer = Trainer::startRun(test::tinyConfig(), dir / "run");
    Recorder rec;
    const auto s = trainer.run(&rec);
    EXPECT_FALSE(s.cancelled);
    EXPECT_EQ(s.iterationsDone, 6);
    EXPECT_EQ(rec.iterations, 6);
    EXPECT_EQ(rec.validations, 2);
    const RunPaths paths{dir / "run"};
    for (const auto& f : {paths.config(), paths.metrics(), paths.log(), paths.last(), paths.best()})
        EXPECT_TRUE(fs::exists(f)) << f;
    EXPECT_EQ(loadConfig(paths.config().string()).toJson(), test::tinyConfig().toJson());
    const auto metrics = metricsOf(dir / "run");
    ASSERT_EQ(metrics.size(), 6u);
    EXPECT_TRUE(metrics[2].contains("val_accuracy"));
    EXPECT_TRUE(metrics[2].contains("val_ci95"));
    EXPECT_EQ(readCheckpointInfo(paths.last()).iteration, 6);
    // last.pt carries the Adam state to resume from; best.pt only what scoring needs.
    auto model = makeModel(test::tinyConfig());
    MetaLearner learner(model, learnerOptions(test::tinyConfig()));
    EXPECT_NO_THROW(loadCheckpoint(paths.last(), *model, &learner.optimizer()));
    EXPECT_THROW(loadCheckpoint(paths.best(), *model, &learner.optimizer()), Error);
    EXPECT_NO_THROW(loadModel(paths.best()));
    EXPECT_LT(fs::file_size(paths.best()), fs::file_size(paths.last()));
    // A second run into the same folder is refused.
    EXPECT_THROW(Trainer::startRun(test::tinyConfig(), dir / "run"), Error);
    fs::remove_all(dir);
}

TEST(Trainer, ResumeEqualsAnUninterruptedRun)
{
    const auto dir = test::tempDir("trainer-resume");
    auto full = Trainer::startRun(test::tinyConfig(), dir / "full");
    const auto sFull = full.run();

    {
        // The first trainer holds the run folder's lock until it goes.
        auto first = Trainer::startRun(test::tinyConfig(), dir / "split");
        RunControl control;
        Recorder rec;
        rec.control = &control;
        rec.stopAt = 4; // between validations: last.pt is written on cancel
        const auto s1 = first.run(&rec, &control);
        EXPECT_TRUE(s1.cancelled);
        EXPECT_EQ(s1.iterationsDone, 4);
    }
    EXPECT_EQ(readCheckpointInfo(RunPaths{dir / "split"}.last()).iteration, 4);

    auto second = Trainer::resumeRun(dir / "split");
    EXPECT_EQ(second.startIteration(), 4);
    const auto s2 = second.run();
    EXPECT_EQ(s2.iterationsDone, 6);

    const auto a = weightsOf(RunPaths{dir / "full"}.last());
    const auto b = weightsOf(RunPaths{dir / "split"}.last());
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
        EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
    EXPECT_EQ(metricsOf(dir / "full"), metricsOf(dir / "split"));
    EXPECT_EQ(s2.bestIteration, sFull.bestIteration);
    EXPECT_EQ(s2.bestValAccuracy, sFull.bestValAccuracy);
    fs::remove_all(dir);
}

TEST(Trainer, NonFiniteLossStopsAndKeepsTheLastGoodCheckpoint)
{
    const auto dir = test::tempDir("trainer-nan");
    auto c = test::tinyConfig();
    c.iterations = 3;
    Trainer::startRun(c, dir).run();
    const RunPaths paths{dir};
    const auto good = weightsOf(paths.last());

    // Continue with an absurd inner learning rate: the loss overflows at iteration 4.
    c.iterations = 6;
    c.innerLr = 1e300;
    writeFileAtomic(paths.config(), c.toJson().dump());
    auto resumed = Trainer::resumeRun(dir);
    try {
        resumed.run();
        FAIL() << "expected an error";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_TRUE(what.find("NaN") != std::string::npos || what.find("infinite") != std::string::npos)
            << what;
        EXPECT_NE(what.find("iteration 4"), std::string::npos) << what;
        EXPECT_NE(what.find("last good state (iteration 3)"), std::string::npos) << what;
    }
    EXPECT_EQ(readCheckpointInfo(paths.last()).iteration, 3);
    const auto after = weightsOf(paths.last());
    for (size_t i = 0; i < good.size(); ++i)
        EXPECT_TRUE(torch::equal(good[i], after[i]));
    fs::remove_all(dir);
}

TEST(Trainer, BadConfigsAreRejectedBeforeAnythingIsWritten)
{
    const auto dir = test::tempDir("trainer-bad");
    auto c = test::tinyConfig();
    c.ways = 30; // the synthetic train split has 12 classes
    EXPECT_THROW(Trainer::startRun(c, dir / "run"), Error);
    EXPECT_FALSE(fs::exists(dir / "run" / "config.json"));
    c = test::tinyConfig();
    c.batchNorm = "sometimes";
    c.channels = 2;
    try {
        Trainer::startRun(c, dir / "run");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("batch_norm"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("channels"), std::string::npos);
    }
    EXPECT_THROW(Trainer::resumeRun(dir / "nothing"), Error);
    fs::remove_all(dir);
}

} // namespace
} // namespace maml
