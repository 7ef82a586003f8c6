#include "core/engine/task_parallel.h"

#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <dlfcn.h>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace maml {

namespace {
/// Makes torch operators on the calling thread run single-threaded. LibTorch (Debian's build)
/// parallelises with OpenMP, whose thread count is a per-thread setting; torch::set_num_threads
/// would also change process-wide state, so the OpenMP call is made directly. It is looked up
/// at run time because libgomp is loaded by LibTorch but not linked to us.
void singleThreadedOperators()
{
    // torch initialises a thread's count lazily on its first parallel operator; do it now so
    // that it cannot undo the setting below later.
    at::internal::lazy_init_num_threads();
    using SetThreads = void (*)(int);
    static const auto setOmpThreads =
        reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    if (setOmpThreads)
        setOmpThreads(1);
}
} // namespace

struct TaskParallel::Impl {
    std::vector<std::thread> threads;
    std::mutex runMutex; // serialises run() calls from different threads
    std::mutex mutex;
    std::condition_variable wake, done;
    const std::function<void(int)>* work = nullptr;
    int count = 0;
    std::atomic<int> next{0};
    int busy = 0;
    uint64_t generation = 0;
    bool stop = false;
    std::optional<at::ThreadLocalState> callerState;
    std::vector<std::exception_ptr> errors;
    bool staggered = false;
    bool released = false; // staggered: the first worker's first task reached its peak

    void workerMain(int index);
    void drainTasks(int index);
    void release();
};

void TaskParallel::Impl::release()
{
    std::lock_guard<std::mutex> lock(mutex);
    if (!released) {
        released = true;
        wake.notify_all();
    }
}

void TaskParallel::Impl::drainTasks(int index)
{
    if (staggered && index > 0) {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return released; });
    }
    at::ThreadLocalStateGuard guard(*callerState);
    for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
        try {
            (*work)(i);
        } catch (...) {
            errors[i] = std::current_exception();
        }
        if (index == 0)
            release(); // in case the work never called peakReached()
    }
    if (index == 0)
        release();
}

void TaskParallel::Impl::workerMain(int index)
{
    singleThreadedOperators();
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
        wake.wait(lock, [&] { return stop || generation != seen; });
        if (stop)
            return;
        seen = generation;
        lock.unlock();
        drainTasks(index);
        lock.lock();
        if (--busy == 0)
            done.notify_one();
    }
}

TaskParallel::TaskParallel(int workers) : m_impl(std::make_unique<Impl>())
{
    const int n = workers > 0 ? workers : std::max(1, at::get_num_threads());
    for (int i = 0; i < n; ++i)
        m_impl->threads.emplace_back([impl = m_impl.get(), i] { impl->workerMain(i); });
}

TaskParallel::~TaskParallel()
{
    {
        std::lock_guard<std::mutex> lock(m_impl->mutex);
        m_impl->stop = true;
    }
    m_impl->wake.notify_all();
    for (auto& t : m_impl->threads)
        t.join();
}

int TaskParallel::workers() const
{
    return static_cast<int>(m_impl->threads.size());
}

void TaskParallel::peakReached()
{
    m_impl->release();
}

void TaskParallel::run(int count, const std::function<void(int)>& work, bool staggered)
{
    if (count <= 0)
        return;
    std::lock_guard<std::mutex> serial(m_impl->runMutex);
    Impl& s = *m_impl;
    std::unique_lock<std::mutex> lock(s.mutex);
    s.work = &work;
    s.count = count;
    s.next = 0;
    s.errors.assign(count, nullptr);
    s.callerState.emplace();
    s.staggered = staggered;
    s.released = false;
    s.busy = static_cast<int>(s.threads.size());
    ++s.generation;
    s.wake.notify_all();
    s.done.wait(lock, [&] { return s.busy == 0; });
    s.callerState.reset();
    s.work = nullptr;
    for (const auto& e : s.errors)
        if (e)
            std::rethrow_exception(e);
}

std::vector<torch::Tensor> sumInTaskOrder(const std::vector<std::vector<torch::Tensor>>& perTask)
{
    std::vector<torch::Tensor> sum;
    for (const auto& grads : perTask) {
        if (sum.size() < grads.size())
            sum.resize(grads.size());
        for (size_t i = 0; i < grads.size(); ++i) {
            if (!grads[i].defined())
                continue;
            if (sum[i].defined())
                sum[i].add_(grads[i]);
            else
                sum[i] = grads[i].clone();
        }
    }
    return sum;
}

void tuneAllocatorForTraining()
{
#if defined(__GLIBC__)
    static std::once_flag once;
    std::call_once(once, [] {
        // Blocks up to 32 MiB (glibc's upper limit) come from the heap and are reused;
        // freed memory is given back to the kernel only beyond 1 GiB of slack.
        mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
        mallopt(M_TOP_PAD, 16 * 1024 * 1024);
    });
#endif
}

} // namespace maml
