#pragma once
/// \file
/// Runs the tasks of a meta-batch side by side on worker threads, each worker doing its
/// operators on one thread. The tensors of one few-shot task are small, so parallelising
/// inside each operator (torch's intra-op threads) leaves cores idle at every one of the
/// thousands of small operators of an inner loop; whole tasks in parallel keep them busy.

#include <torch/types.h>

#include <functional>
#include <memory>
#include <vector>

namespace maml {

/// A fixed pool of worker threads for per-task work. Each worker runs torch operators
/// single-threaded and with the caller's thread-local state (grad mode and friends).
/// run() is not reentrant: one meta-batch at a time per pool.
class TaskParallel {
public:
    /// \param workers number of threads; 0 = torch's intra-op thread count at construction.
    explicit TaskParallel(int workers = 0);
    ~TaskParallel();
    TaskParallel(const TaskParallel&) = delete;
    TaskParallel& operator=(const TaskParallel&) = delete;

    int workers() const;

    /// Calls work(i) once for every i in [0, count), spread over the workers, and returns
    /// when all calls have returned. If calls throw, the exception of the lowest task
    /// index is rethrown (after every task has finished or failed).
    ///
    /// `staggered`: the other workers start only when the first task calls peakReached()
    /// (or ends), so that one task's growing graph meets another's shrinking one. An
    /// experiment (docs/performance.md): it lowered peak memory by only ~2% here, since
    /// glibc keeps each thread's freed blocks in that thread's arena; off by default.
    void run(int count, const std::function<void(int)>& work, bool staggered = false);

    /// Called by a task at its memory peak (e.g. before its backward pass); see run().
    void peakReached();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Element-wise sum of per-task gradient lists, added in task order (so the result does not
/// depend on which worker finished first). Undefined entries are skipped; an entry that is
/// undefined in every list stays undefined.
std::vector<torch::Tensor> sumInTaskOrder(const std::vector<std::vector<torch::Tensor>>& perTask);

/// Makes the glibc allocator keep freed memory for reuse instead of returning every large
/// block to the kernel. Without it each activation tensor of a few MB is a fresh mmap whose
/// pages the kernel must zero on first touch, which costs a large part of a CPU meta-iteration.
/// Process-wide and idempotent; a no-op on other C libraries. MetaLearner's constructor calls
/// it unless MetaLearnerOptions::tuneAllocator is off.
void tuneAllocatorForTraining();

} // namespace maml
