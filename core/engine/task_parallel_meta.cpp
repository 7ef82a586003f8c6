#include "core/engine/task_parallel_meta.h"

#include "core/engine/task_parallel.h"
#include "core/util/error.h"

#include <cstdlib>
#include <mutex>
#include <string>

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

struct TaskOutcome {
    double loss = 0, accuracy = 0;
    std::vector<torch::Tensor> grads;
};

TaskOutcome runTask(MetaLearner& learner, TaskParallel& pool, const Episode& raw,
                    const std::vector<torch::Tensor>& params, double scale, const RunControl* control)
{
    const auto& o = learner.options();
    const Episode e = toDevice(raw, params.front().device(), params.front().scalar_type());
    auto fast = learner.adapt(params, e.supportX, e.supportY, o.innerSteps, !o.firstOrder, control);
    if (control && control->cancelled())
        throw Cancelled();
    auto logits = learner.model().forward(e.queryX, fast, /*training=*/true);
    auto l = torch::nn::functional::cross_entropy(logits, e.queryY);
    pool.peakReached(); // all of this task's graph exists now; the backward frees it
    TaskOutcome out;
    out.grads = torch::autograd::grad({l * scale}, params, /*grad_outputs=*/{}, /*retain_graph=*/false,
                                      /*create_graph=*/false, /*allow_unused=*/true);
    out.loss = l.item<double>();
    out.accuracy = logits.detach().argmax(1).eq(e.queryY).to(torch::kFloat64).mean().item<double>();
    return out;
}
} // namespace

bool staggerTasks()
{
    const char* v = std::getenv("MAML_TASK_STAGGER");
    return v && std::string(v) == "1";
}

bool useTaskParallel(MetaLearner& learner, size_t tasks)
{
    const auto& o = learner.options();
    return o.taskParallel && taskParallelEnabledByDefault() && o.batchStatistics && tasks > 1 &&
           torch::get_num_threads() > 1 && learner.model().metaParameters().front().is_cpu();
}

TaskBatchTotals accumulateTasksInParallel(MetaLearner& learner, const std::vector<Episode>& batch,
                                          const std::vector<torch::Tensor>& params, double scale,
                                          const RunControl* control)
{
    std::vector<TaskOutcome> outcomes(batch.size());
    auto pool = sharedPool(torch::get_num_threads());
    pool->run(
        static_cast<int>(batch.size()),
        [&](int i) { outcomes[i] = runTask(learner, *pool, batch[i], params, scale, control); },
        staggerTasks());
    std::vector<std::vector<torch::Tensor>> perTask;
    TaskBatchTotals totals;
    for (auto& t : outcomes) {
        perTask.push_back(std::move(t.grads));
        totals.loss += t.loss * scale;
        totals.accuracy += t.accuracy * scale;
    }
    const auto sum = sumInTaskOrder(perTask);
    for (size_t i = 0; i < params.size() && i < sum.size(); ++i) {
        if (!sum[i].defined())
            continue;
        auto p = params[i];
        if (p.grad().defined())
            p.mutable_grad().add_(sum[i]);
        else
            p.mutable_grad() = sum[i];
    }
    return totals;
}

} // namespace maml
