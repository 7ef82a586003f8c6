#include "core/engine/threads.h"

#include <spdlog/spdlog.h>

#include <thread>

namespace maml {

int applyThreads(int threads)
{
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    int n = threads > 0 ? threads : cores;
    if (n > cores) {
        // More threads than cores only makes them wait for each other (100,000 stall the
        // process while being created): use the cores, and say so once per value.
        static std::atomic<int> warned{0};
        if (warned.exchange(n) != n)
            spdlog::warn("{} threads asked for, but this machine has {} cores: using {}", n, cores, cores);
        n = cores;
    }
    if (torch::get_num_threads() != n)
        torch::set_num_threads(n);
    return n;
}

} // namespace maml
