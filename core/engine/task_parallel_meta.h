#pragma once
/// \file
/// The scheduler of a meta-batch's tasks: on parallel threads (TaskParallel, one operator
/// thread each) or one after another on the caller's thread. Each task's work is
/// InnerLoop::taskGradient; the scheduler only decides where it runs, and returns the results
/// in task order so that the meta-gradient does not depend on the schedule.

#include "core/engine/meta_learner.h"

#include <functional>
#include <vector>

namespace maml {

/// Whether `learner` runs a meta-batch of `tasks` tasks on parallel threads: options()
/// .taskParallel is on, torch has more than one thread, there is more than one task, the model
/// is on the CPU, and BatchNorm uses batch statistics (running statistics would be updated by
/// several threads at once).
bool useTaskParallel(InnerLoop& learner, size_t tasks);

/// Runs work(0) ... work(count - 1) like runTasks (parallel when useTaskParallel(learner,
/// count)); for work that keeps its own results, e.g. scoring evaluation episodes.
void runEach(InnerLoop& learner, size_t count, const std::function<void(size_t index)>& work);

/// One task: (its index, a callback for the moment its memory peaks) -> its gradient.
using TaskWork = std::function<TaskGradient(size_t index, const std::function<void()>& atPeak)>;

/// Runs work(0) ... work(count - 1), on torch::get_num_threads() workers when
/// useTaskParallel(learner, count), else in order on this thread, and returns the results in
/// task order. Rethrows maml::Cancelled or a task's error after all tasks stopped.
std::vector<TaskGradient> runTasks(InnerLoop& learner, size_t count, const TaskWork& work);

} // namespace maml
