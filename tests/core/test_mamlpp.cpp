// MAML++ around the gradients: the schedule, the settings, per-step BatchNorm at test time,
// checkpoints and resume with every part on.
#include "core/engine/checkpoint.h"
#include "core/engine/conv4.h"
#include "core/engine/evaluator.h"
#include "core/engine/meta_learner.h"
#include "core/engine/metrics_log.h"
#include "core/engine/model_factory.h"
#include "core/engine/schedule.h"
#include "core/engine/task_source.h"
#include "core/engine/torchscript_export.h"
#include "core/engine/trainer.h"
#include "core/util/error.h"
#include "test_maml_support.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <torch/script.h>

#include <numeric>

namespace maml {
namespace {

namespace fs = std::filesystem;

double sum(const std::vector<double>& v)
{
    return std::accumulate(v.begin(), v.end(), 0.0);
}

TEST(MamlppSchedule, MultiStepLossWeightsAnnealTowardsTheLastStep)
{
    const auto start = multiStepLossWeights(5, 0, 100);
    ASSERT_EQ(start.size(), 5u);
    for (double w : start)
        EXPECT_DOUBLE_EQ(w, 0.2);
    // Half way: non-final 0.2 - 50 * 0.2 / 100 = 0.1, final 0.2 + 50 * 4 * 0.002 = 0.6.
    const auto mid = multiStepLossWeights(5, 50, 100);
    EXPECT_NEAR(mid[0], 0.1, 1e-12);
    EXPECT_NEAR(mid[4], 0.6, 1e-12);
    EXPECT_NEAR(sum(mid), 1.0, 1e-12);
    // Near the end the non-final weights sit at their minimum 0.03 / 5.
    const auto late = multiStepLossWeights(5, 99, 100);
    EXPECT_NEAR(late[0], 0.006, 1e-12);
    EXPECT_NEAR(late[4], 1 - 4 * 0.006, 1e-12);
    EXPECT_TRUE(multiStepLossWeights(5, 100, 100).empty()) << "then the last step only";
    EXPECT_EQ(multiStepLossWeights(1, 0, 10), std::vector<double>{1.0});
}

TEST(MamlppSchedule, CosineAndDerivativeOrder)
{
    EXPECT_DOUBLE_EQ(cosineAnnealedLr(1e-3, 1e-5, 0, 100), 1e-3);
    EXPECT_NEAR(cosineAnnealedLr(1e-3, 1e-5, 50, 100), (1e-3 + 1e-5) / 2, 1e-15);
    EXPECT_NEAR(cosineAnnealedLr(1e-3, 1e-5, 100, 100), 1e-5, 1e-15);
    ExperimentConfig c;
    c.iterations = 100;
    c.firstOrderIterations = 10;
    c.cosineMetaLr = true;
    c.multiStepLoss = true;
    c.multiStepLossIterations = 20;
    c.innerStepsTrain = 3;
    EXPECT_TRUE(scheduleAt(c, 9).firstOrder);
    EXPECT_FALSE(scheduleAt(c, 10).firstOrder);
    EXPECT_LT(scheduleAt(c, 60).metaLr, scheduleAt(c, 59).metaLr);
    EXPECT_EQ(scheduleAt(c, 19).stepLossWeights.size(), 3u);
    EXPECT_TRUE(scheduleAt(c, 20).stepLossWeights.empty());
    // Plain MAML: nothing moves.
    const ExperimentConfig plain;
    for (int64_t it : {0, 1000, 59999}) {
        const auto s = scheduleAt(plain, it);
        EXPECT_EQ(s.metaLr, plain.metaLr);
        EXPECT_FALSE(s.firstOrder);
        EXPECT_TRUE(s.stepLossWeights.empty());
    }
}

TEST(MamlppConfig, OldConfigsLoadAsPlainMamlAndBadCombinationsAreNamed)
{
    auto j = test::tinyConfig().toJson();
    for (const char* key : {"lslr", "multi_step_loss", "multi_step_loss_iterations", "first_order_iterations",
                            "cosine_meta_lr", "meta_lr_min", "checkpoint_inner_steps"}) {
        ASSERT_TRUE(j.contains(key)) << key;
        j.erase(key);
    }
    const auto old = ExperimentConfig::fromJson(j);
    EXPECT_FALSE(old.usesMamlpp());
    EXPECT_FALSE(old.checkpointInnerSteps);
    EXPECT_TRUE(old.validate().empty());

    auto problem = [](const std::function<void(ExperimentConfig&)>& change) {
        auto c = test::tinyConfig();
        change(c);
        std::string all;
        for (const auto& m : c.validate())
            all += m + "; ";
        return all.empty() ? std::string("(valid)") : all;
    };
    EXPECT_NE(problem([](auto& c) { c.batchNorm = "per-step", c.model = "transformer"; }).find("Conv-4"),
              std::string::npos);
    EXPECT_NE(problem([](auto& c) { c.firstOrder = true, c.firstOrderIterations = 5; }).find("first_order"),
              std::string::npos);
    EXPECT_NE(problem([](auto& c) { c.cosineMetaLr = true, c.metaLrMin = c.metaLr; }).find("meta_lr_min"),
              std::string::npos);
    EXPECT_NE(problem([](auto& c) {
                  c.checkpointInnerSteps = true, c.firstOrder = true;
              }).find("checkpoint_inner_steps"),
              std::string::npos);
    EXPECT_NE(problem([](auto& c) { c.multiStepLossIterations = 0; }).find("multi_step_loss_iterations"),
              std::string::npos);
    EXPECT_NE(problem([](auto& c) { c.batchNorm = "steps"; }).find("per-step"), std::string::npos);
    EXPECT_EQ(problem([](auto& c) { c.batchNorm = "per-step", c.lslr = c.multiStepLoss = true; }), "(valid)");
}

TEST(MamlppModel, ThePartsAreMetaParametersOfTheModel)
{
    auto c = test::tinyConfig();
    c.innerStepsTrain = 3;
    torch::manual_seed(1);
    const auto plain = makeModel(c);
    EXPECT_EQ(plain->metaParameters().size(), 18u);
    EXPECT_FALSE(plain->innerLearningRates().defined());
    EXPECT_TRUE(plain->innerLearningRateTable().empty());

    c.lslr = true;
    c.batchNorm = "per-step";
    const auto model = makeModel(c);
    const auto meta = model->metaParameters();
    ASSERT_EQ(meta.size(), 19u);
    EXPECT_EQ(meta[2].sizes(), torch::IntArrayRef({3, c.filters})) << "BN weight per step";
    EXPECT_EQ(meta.back().sizes(), torch::IntArrayRef({10, 3})) << "10 adapted tensors x 3 steps";
    const auto table = model->innerLearningRateTable();
    ASSERT_EQ(table.names.size(), 10u);
    EXPECT_EQ(table.names.front(), "block0_conv_weight");
    EXPECT_EQ(table.names.back(), "head_bias");
    EXPECT_FLOAT_EQ(static_cast<float>(table.rates[3][2]), static_cast<float>(c.innerLr)); // kept as float
    EXPECT_EQ(model->architecture()["batch_norm"], "per-step");
}

/// A per-step Conv-4 after a few meta-steps on synthetic episodes (running statistics moved).
struct TrainedPerStep {
    ExperimentConfig config;
    std::shared_ptr<FunctionalModel> model;
    std::unique_ptr<MetaLearner> learner;
    std::vector<Episode> episodes;

    TrainedPerStep()
    {
        auto& c = config = test::tinyConfig();
        c.innerStepsTrain = 2;
        c.batchNorm = "per-step";
        c.lslr = true;
        torch::manual_seed(3);
        model = makeModel(c);
        learner = std::make_unique<MetaLearner>(model, learnerOptions(c));
        const auto source = makeTaskSource(c, "train");
        auto stream = source->stream(5, 0, 2);
        for (int i = 0; i < 3; ++i)
            learner->metaStep(stream->next());
        episodes = stream->next();
    }
};

TEST(MamlppBatchNorm, TrainingUpdatesEveryStepsStatisticsAndScoringNone)
{
    TrainedPerStep t;
    for (const auto& b : t.model->named_buffers()) {
        if (b.key().find("running_mean") == std::string::npos)
            continue;
        EXPECT_GT(b.value()[0].abs().sum().item<double>(), 0) << b.key() << " step 1";
        EXPECT_GT(b.value()[1].abs().sum().item<double>(), 0) << b.key() << " step 2";
    }
    std::vector<torch::Tensor> before;
    for (const auto& b : t.model->buffers())
        before.push_back(b.clone());
    // A training-mode forward that is not meta-training leaves them alone too.
    const auto fast = t.learner->startingPoint(t.model->metaParameters());
    t.learner->adapt(fast, t.episodes[0].supportX, t.episodes[0].supportY, 3, false);
    t.learner->score(t.episodes[0], 4); // beyond the 2 trained steps: the last step's parts
    const auto after = t.model->buffers();
    for (size_t i = 0; i < before.size(); ++i)
        EXPECT_TRUE(torch::equal(before[i], after[i])) << "buffer " << i;
    EXPECT_FALSE(t.learner->options().batchStatistics) << "running statistics: one task at a time";
}

TEST(MamlppBatchNorm, EachQueryIsScoredOnItsOwn)
{
    TrainedPerStep t;
    torch::NoGradGuard noGrad;
    const auto w = t.model->metaParameters();
    const auto x = t.episodes[0].queryX;
    const auto together = t.learner->logits(x, w, /*training=*/false, {1, false});
    for (int64_t i = 0; i < x.size(0); ++i) {
        const auto alone = t.learner->logits(x.slice(0, i, i + 1), w, false, {1, false});
        EXPECT_TRUE(torch::allclose(alone[0], together[i], 1e-5, 1e-6)) << "query " << i;
    }
    // Batch statistics would make a query's logits depend on the others: the check can fail.
    const auto batchMode = t.learner->logits(x, w, /*training=*/true, {1, false});
    const auto alone = t.learner->logits(x.slice(0, 0, 2), w, true, {1, false});
    EXPECT_FALSE(torch::allclose(alone[0], batchMode[0], 1e-5, 1e-6));
}

TEST(MamlppBatchNorm, ScoringWithTheQuerySetsStatisticsIsAnOption)
{
    TrainedPerStep t;
    torch::NoGradGuard noGrad;
    const auto w = t.model->metaParameters();
    const auto x = t.episodes[0].queryX;
    const auto running = t.learner->logits(x, w, /*training=*/false, {1, false});
    std::vector<torch::Tensor> before;
    for (const auto& b : t.model->buffers())
        before.push_back(b.clone());
    EXPECT_FALSE(t.model->normalisesOverTheBatch());
    ASSERT_TRUE(t.model->setTestBatchStatistics(true));
    EXPECT_TRUE(t.model->normalisesOverTheBatch()) << "a lone query now needs the others";
    // A test-mode forward is now the training-mode one (the step's weights, the batch's
    // statistics), not the running statistics' one, and the running statistics stay as they were.
    const auto batch = t.learner->logits(x, w, /*training=*/false, {1, false});
    EXPECT_TRUE(torch::allclose(batch, t.learner->logits(x, w, /*training=*/true, {1, false}), 1e-5, 1e-6));
    EXPECT_FALSE(torch::allclose(batch, running, 1e-4, 1e-5));
    const auto after = t.model->buffers();
    for (size_t i = 0; i < before.size(); ++i)
        EXPECT_TRUE(torch::equal(before[i], after[i])) << "buffer " << i;
    t.model->setTestBatchStatistics(false);
    EXPECT_TRUE(torch::allclose(t.learner->logits(x, w, false, {1, false}), running, 1e-6, 1e-7));
}

TEST(MamlppCheckpoint, LearningRatesAndPerStepStatisticsRoundTrip)
{
    TrainedPerStep t;
    test::TempDir dir;
    CheckpointInfo info;
    info.config = test::tinyConfig();
    info.config.innerStepsTrain = 2;
    info.config.batchNorm = "per-step";
    info.config.lslr = true;
    saveCheckpoint(dir / "m.pt", *t.model, &t.learner->optimizer(), info);
    const auto loaded = loadModel(dir / "m.pt");
    const auto a = t.model->metaParameters(), b = loaded.model->metaParameters();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
        EXPECT_TRUE(torch::equal(a[i], b[i])) << "meta-parameter " << i;
    const auto ba = t.model->buffers(), bb = loaded.model->buffers();
    for (size_t i = 0; i < ba.size(); ++i)
        EXPECT_TRUE(torch::equal(ba[i], bb[i])) << "buffer " << i;
    // The learning rates moved away from their start (Adam updated them).
    EXPECT_GT((b.back() - info.config.innerLr).abs().max().item<double>(), 0);
}

TEST(MamlppExport, APerStepModelExportsItsLastStepsBatchNorm)
{
    TrainedPerStep t;
    test::TempDir dir;
    TorchScriptExport r;
    r.model = t.model.get();
    for (const auto& p : t.model->metaParameters())
        r.weights.push_back(p.detach());
    r.config = t.config;
    r.classNames = {"a", "b", "c"};
    exportTorchScript(r, dir / "model.pt");
    auto module = torch::jit::load((dir / "model.pt").string());
    torch::NoGradGuard noGrad;
    const auto x = t.episodes[0].queryX;
    const auto probabilities = module.forward({x}).toTensor();
    const auto expected = torch::softmax(t.learner->logits(x, r.weights, /*training=*/false, {1, false}), 1);
    EXPECT_TRUE(torch::allclose(probabilities, expected, 1e-5, 1e-6));
}

std::vector<torch::Tensor> weightsOf(const fs::path& checkpoint)
{
    std::vector<torch::Tensor> out;
    for (const auto& p : loadModel(checkpoint).model->parameters())
        out.push_back(p.detach());
    return out;
}

/// Cancels the run after `stopAt` iterations.
struct StopAt final : TrainObserver {
    RunControl* control = nullptr;
    int64_t stopAt = -1;
    void onIteration(const TrainProgress& p) override
    {
        if (p.iteration == stopAt)
            control->cancel = true;
    }
};

TEST(MamlppTrainer, ResumeWithEveryPartEqualsAnUninterruptedRun)
{
    auto c = test::tinyConfig();
    c.innerStepsTrain = 2;
    c.lslr = c.multiStepLoss = c.cosineMetaLr = c.checkpointInnerSteps = true;
    c.batchNorm = "per-step";
    c.multiStepLossIterations = 4;
    c.firstOrderIterations = 2;
    c.metaLrMin = 1e-4;
    test::TempDir dir;
    const auto full = Trainer::startRun(c, dir / "full").run();
    EXPECT_EQ(full.innerLrs.names.size(), 10u);

    {
        auto first = Trainer::startRun(c, dir / "split"); // holds the run folder's lock until it goes
        RunControl control;
        StopAt stop;
        stop.control = &control;
        stop.stopAt = 4;
        EXPECT_TRUE(first.run(&stop, &control).cancelled);
    }
    Trainer::resumeRun(dir / "split").run();

    const auto a = weightsOf(RunPaths{dir / "full"}.last()), b = weightsOf(RunPaths{dir / "split"}.last());
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
        EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
    const auto lines = MetricsLog(RunPaths{dir / "full"}.metrics()).read();
    ASSERT_FALSE(lines.empty());
    EXPECT_LT(lines.back()["meta_lr"].get<double>(), c.metaLr) << "cosine annealing logged";
    EXPECT_TRUE(lines[2].contains("inner_lrs")) << "validation lines carry the learned rates";
}

TEST(MamlppBatchNorm, TheQueryStatisticsChoiceAppliesToCheckpointsWithRunningStatistics)
{
    // The Evaluate page offers the choice when this says so; the model is asked, not named.
    auto c = test::tinyConfig();
    c.batchNorm = "per-step";
    EXPECT_TRUE(queryStatisticsApply(c));
    c.batchNorm = "running";
    EXPECT_TRUE(queryStatisticsApply(c));
    c.batchNorm = "batch"; // normalises over the query set already
    EXPECT_FALSE(queryStatisticsApply(c));
    c.batchNorm = "running";
    c.model = "no-such-model";
    EXPECT_THROW(queryStatisticsApply(c), Error);
}

} // namespace
} // namespace maml
