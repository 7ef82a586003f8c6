#include "core/engine/threads.h"

#include <thread>

namespace maml {

int applyThreads(int threads)
{
    const int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (torch::get_num_threads() != n)
        torch::set_num_threads(n);
    return n;
}

} // namespace maml
