#include "core/engine/task_parallel_meta.h"

#include "core/engine/task_parallel.h"

#include <mutex>

namespace maml {

namespace {
/// One pool per process, rebuilt when torch's thread count changes. Held by shared_ptr so a
/// rebuild cannot pull the pool from under a meta-batch that is still running on it.
std::shared_ptr<TaskParallel> sharedPool(int workers)
{
    static std::mutex mutex;
    static std::shared_ptr<TaskParallel> pool;
    std::lock_guard<std::mutex> lock(mutex);
    if (!pool || pool->workers() != workers)
        pool = std::make_shared<TaskParallel>(workers);
    return pool;
}
} // namespace

bool useTaskParallel(InnerLoop& learner, size_t tasks)
{
    const auto& o = learner.options();
    return o.taskParallel && o.batchStatistics && tasks > 1 && torch::get_num_threads() > 1 &&
           learner.model().metaParameters().front().is_cpu();
}

void runEach(InnerLoop& learner, size_t count, const std::function<void(size_t)>& work)
{
    if (!useTaskParallel(learner, count)) {
        for (size_t i = 0; i < count; ++i)
            work(i);
        return;
    }
    sharedPool(torch::get_num_threads())->run(static_cast<int>(count), [&](int i) {
        work(static_cast<size_t>(i));
    });
}

std::vector<TaskGradient> runTasks(InnerLoop& learner, size_t count, const TaskWork& work)
{
    std::vector<TaskGradient> results(count);
    if (!useTaskParallel(learner, count)) {
        for (size_t i = 0; i < count; ++i)
            results[i] = work(i, {});
        return results;
    }
    auto pool = sharedPool(torch::get_num_threads());
    const std::function<void()> atPeak = [&pool] { pool->peakReached(); };
    pool->run(
        static_cast<int>(count), [&](int i) { results[i] = work(static_cast<size_t>(i), atPeak); },
        learner.options().staggerTasks);
    return results;
}

} // namespace maml
