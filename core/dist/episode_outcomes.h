#pragma once
/// \file
/// What the evaluator keeps of one scored episode, and how the ranks of a distributed
/// evaluation exchange them: each scores its share of the episodes, then one all-reduce of a
/// zero-padded float64 buffer gives every rank all outcomes, exactly, so that the mean, the
/// confidence interval, the per-class tallies and the confusion matrix are those of one process.

#include "core/engine/task_range.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace maml {

class Collective;

/// One episode's scores and what the per-class tallies need of it.
struct EpisodeOutcome {
    double accuracy = 0, loss = 0;
    double baselineAccuracy = 0, baselineLoss = 0;
    std::vector<int> classes;                    ///< dataset class of each episode label
    std::vector<int64_t> truth, predicted;       ///< episode labels of the query items
    std::vector<std::pair<int, int>> queryItems; ///< (dataset class, index) of each query item
};

/// Before: outcomes[i] is filled for i in `mine` (this rank's share). After: for every i, on
/// every rank. `ways` and `queryItems` bound each episode's sizes (the episode spec's N and
/// N*Q); a larger episode is a maml::Error.
void gatherOutcomes(Collective& collective, std::vector<EpisodeOutcome>& outcomes, TaskRange mine, int ways,
                    int queryItems);

} // namespace maml
