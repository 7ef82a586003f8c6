#pragma once
/// \file
/// The number of torch threads engine operations use.

namespace maml {

/// torch::set_num_threads(threads), where 0 means every core of the machine; more than the
/// machine's cores is lowered to the cores, with a warning. Returns the number set.
int applyThreads(int threads);

} // namespace maml
