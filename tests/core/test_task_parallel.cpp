// The task-parallel meta-batch (core/engine/task_parallel*.h): the pool itself, and that the
// meta-gradient equals the plain path's. Speed is measured by bench/run.py, never here.

#include "core/engine/conv4.h"
#include "core/engine/meta_learner.h"
#include "core/engine/task_parallel.h"
#include "core/engine/task_parallel_meta.h"
#include "core/util/error.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>

using namespace maml;

namespace {

/// Restores torch's thread count after a test changes it.
struct ThreadsGuard {
    int saved = torch::get_num_threads();
    explicit ThreadsGuard(int n) { torch::set_num_threads(n); }
    ~ThreadsGuard() { torch::set_num_threads(saved); }
};

std::vector<Episode> tinyBatch(int tasks, int ways, int shots, int queries)
{
    torch::manual_seed(7);
    std::vector<Episode> batch;
    for (int t = 0; t < tasks; ++t) {
        Episode e;
        e.supportX = torch::rand({ways * shots, 1, 16, 16});
        e.queryX = torch::rand({ways * queries, 1, 16, 16});
        e.supportY = torch::arange(ways, torch::kInt64).repeat_interleave(shots);
        e.queryY = torch::arange(ways, torch::kInt64).repeat_interleave(queries);
        e.classes.resize(ways);
        batch.push_back(e);
    }
    return batch;
}

struct GradRun {
    MetaStepResult result;
    std::vector<torch::Tensor> grads;
};

GradRun metaGradient(bool taskParallel, bool firstOrder, const std::vector<Episode>& batch)
{
    torch::manual_seed(3);
    Conv4Options mo;
    mo.channels = 1;
    mo.imageSize = 16;
    mo.filters = 8;
    mo.ways = 3;
    MetaLearnerOptions o;
    o.innerSteps = 2;
    o.innerLr = 0.1;
    o.firstOrder = firstOrder;
    o.taskParallel = taskParallel;
    MetaLearner learner(std::make_shared<Conv4>(mo), o);
    EXPECT_EQ(useTaskParallel(learner, batch.size()), taskParallel);
    GradRun run;
    run.result = learner.computeMetaGradient(batch);
    for (const auto& p : learner.model().metaParameters())
        run.grads.push_back(p.grad().clone());
    return run;
}

void expectSameGradients(const GradRun& a, const GradRun& b)
{
    ASSERT_EQ(a.grads.size(), b.grads.size());
    for (size_t i = 0; i < a.grads.size(); ++i)
        EXPECT_TRUE(torch::allclose(a.grads[i], b.grads[i], /*rtol=*/1e-4, /*atol=*/1e-6))
            << "parameter " << i << " differs by " << (a.grads[i] - b.grads[i]).abs().max().item<double>();
    EXPECT_NEAR(a.result.loss, b.result.loss, 1e-5);
    EXPECT_NEAR(a.result.accuracy, b.result.accuracy, 1e-9);
    EXPECT_NEAR(a.result.gradNorm, b.result.gradNorm, 1e-4 * b.result.gradNorm);
}

} // namespace

TEST(TaskParallel, RunsEveryTaskOnceOnSingleThreadedWorkers)
{
    ThreadsGuard threads(2);
    TaskParallel pool(2);
    EXPECT_EQ(pool.workers(), 2);
    std::vector<int> calls(9, 0), opThreads(9, 0);
    pool.run(9, [&](int i) {
        ++calls[i];
        opThreads[i] = at::get_num_threads();
    });
    for (int i = 0; i < 9; ++i) {
        EXPECT_EQ(calls[i], 1) << "task " << i;
        EXPECT_EQ(opThreads[i], 1) << "task " << i << " ran its operators on several threads";
    }
    EXPECT_EQ(torch::get_num_threads(), 2) << "the caller's thread count must not change";
}

TEST(TaskParallel, WorkersSeeTheCallersGradMode)
{
    TaskParallel pool(2);
    std::atomic<int> enabled{0};
    {
        torch::NoGradGuard noGrad;
        pool.run(4, [&](int) { enabled += torch::GradMode::is_enabled() ? 1 : 0; });
    }
    EXPECT_EQ(enabled.load(), 0);
    pool.run(4, [&](int) { enabled += torch::GradMode::is_enabled() ? 1 : 0; });
    EXPECT_EQ(enabled.load(), 4);
}

TEST(TaskParallel, RethrowsTheLowestTaskErrorAfterAllTasksRan)
{
    TaskParallel pool(2);
    std::atomic<int> ran{0};
    try {
        pool.run(6, [&](int i) {
            ++ran;
            if (i == 4 || i == 2)
                throw Error("task " + std::to_string(i) + " failed");
        });
        FAIL() << "no exception";
    } catch (const Error& e) {
        EXPECT_EQ(e.problem(), "task 2 failed");
    }
    EXPECT_EQ(ran.load(), 6);
    pool.run(3, [&](int) { ++ran; }); // still usable afterwards
    EXPECT_EQ(ran.load(), 9);
}

TEST(TaskParallel, StaggeredWorkersWaitForTheFirstTasksPeak)
{
    TaskParallel pool(2);
    std::atomic<bool> peak{false};
    std::vector<int> sawPeak(4, -1);
    pool.run(
        4,
        [&](int i) {
            sawPeak[i] = peak.load() ? 1 : 0;
            if (!peak.load()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                peak = true;
                pool.peakReached();
            }
        },
        /*staggered=*/true);
    EXPECT_EQ(sawPeak[0], 0);
    for (int i = 1; i < 4; ++i)
        EXPECT_EQ(sawPeak[i], 1) << "task " << i << " started before the first task's peak";
    // A work function that never reports its peak still completes (released when it ends).
    std::atomic<int> ran{0};
    pool.run(
        5, [&](int) { ++ran; }, /*staggered=*/true);
    EXPECT_EQ(ran.load(), 5);
}

TEST(TaskParallel, SumsInTaskOrderAndKeepsUndefinedEntries)
{
    const auto a = torch::tensor({1.0f, 2.0f});
    const auto b = torch::tensor({10.0f, 20.0f});
    const auto sum = sumInTaskOrder({{a, torch::Tensor()}, {b, torch::Tensor()}, {torch::Tensor(), a}});
    ASSERT_EQ(sum.size(), 2u);
    EXPECT_TRUE(torch::equal(sum[0], torch::tensor({11.0f, 22.0f})));
    EXPECT_TRUE(torch::equal(sum[1], a));
    EXPECT_TRUE(torch::equal(a, torch::tensor({1.0f, 2.0f}))) << "inputs must not be modified";
}

TEST(TaskParallelMeta, SecondOrderMetaGradientEqualsThePlainPath)
{
    ThreadsGuard threads(2);
    const auto batch = tinyBatch(5, 3, 2, 3);
    expectSameGradients(metaGradient(true, false, batch), metaGradient(false, false, batch));
}

TEST(TaskParallelMeta, FirstOrderMetaGradientEqualsThePlainPath)
{
    ThreadsGuard threads(2);
    const auto batch = tinyBatch(4, 3, 2, 3);
    expectSameGradients(metaGradient(true, true, batch), metaGradient(false, true, batch));
}

TEST(TaskParallelMeta, IsDeterministicAndIndependentOfTheThreadCount)
{
    const auto batch = tinyBatch(5, 3, 2, 3);
    GradRun two, three;
    {
        ThreadsGuard threads(2);
        two = metaGradient(true, false, batch);
    }
    {
        ThreadsGuard threads(3);
        three = metaGradient(true, false, batch);
    }
    for (size_t i = 0; i < two.grads.size(); ++i)
        EXPECT_TRUE(torch::equal(two.grads[i], three.grads[i])) << "parameter " << i;
    EXPECT_EQ(two.result.loss, three.result.loss);
}

TEST(TaskParallelMeta, CancellationStopsTheBatch)
{
    ThreadsGuard threads(2);
    Conv4Options mo;
    mo.channels = 1;
    mo.imageSize = 16;
    mo.filters = 4;
    mo.ways = 3;
    MetaLearner learner(std::make_shared<Conv4>(mo), MetaLearnerOptions{});
    RunControl control;
    control.cancel = true;
    EXPECT_THROW(learner.computeMetaGradient(tinyBatch(4, 3, 1, 2), &control), Cancelled);
}

TEST(TaskParallelMeta, RunningBatchNormStatisticsUseThePlainPath)
{
    ThreadsGuard threads(2);
    Conv4Options mo;
    mo.channels = 1;
    mo.imageSize = 16;
    mo.filters = 4;
    mo.ways = 3;
    mo.batchStatistics = false;
    MetaLearnerOptions o;
    o.batchStatistics = false;
    MetaLearner learner(std::make_shared<Conv4>(mo), o);
    EXPECT_FALSE(useTaskParallel(learner, 4));
    o.batchStatistics = true;
    MetaLearner batchStats(std::make_shared<Conv4>(Conv4Options{1, 16, 4, 3, true}), o);
    EXPECT_TRUE(useTaskParallel(batchStats, 4));
    EXPECT_FALSE(useTaskParallel(batchStats, 1)) << "one task: nothing to run side by side";
}
