#pragma once
/// \file
/// MetaLearner::computeMetaGradient's per-task loop with the tasks of the meta-batch on
/// parallel threads (TaskParallel). Same result as the plain loop: every task's gradient is
/// computed exactly as there and the gradients are summed in task order.

#include "core/data/episode.h"
#include "core/engine/meta_learner.h"

#include <vector>

namespace maml {

/// Mean query loss and accuracy of the tasks (their meta-gradient went into .grad).
struct TaskBatchTotals {
    double loss = 0;
    double accuracy = 0;
};

/// Whether `learner` should use the task-parallel path for a meta-batch of `tasks` tasks:
/// options().taskParallel is on (and MAML_TASK_PARALLEL is not "0"), torch has more than one
/// thread, there is more than one task, the model is on the CPU, and BatchNorm uses batch
/// statistics (running statistics would be updated by several threads at once).
bool useTaskParallel(MetaLearner& learner, size_t tasks);

/// Whether the workers start staggered (TaskParallel::run): environment variable
/// MAML_TASK_STAGGER=1 (an experiment; see docs/performance.md).
bool staggerTasks();

/// For each episode: adapt `params` on the support set (learner.adapt), score the query set,
/// and add scale * d(query loss)/d(params) into params' .grad (which must be zero or
/// undefined). Runs on torch::get_num_threads() workers with one operator thread each.
/// Rethrows maml::Cancelled or any task's error after all tasks stopped.
TaskBatchTotals accumulateTasksInParallel(MetaLearner& learner, const std::vector<Episode>& batch,
                                          const std::vector<torch::Tensor>& params, double scale,
                                          const RunControl* control);

} // namespace maml
