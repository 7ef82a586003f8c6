#pragma once
/// \file
/// What MAML++ changes from one meta-iteration to the next: the meta learning rate (cosine
/// annealing), first or second order (derivative-order annealing) and the weights of the
/// per-step query losses (multi-step loss). A function of the config and the iteration number
/// only, so a resumed run gets exactly the values of an uninterrupted one. No torch here.

#include "core/engine/config.h"

#include <cstdint>
#include <vector>

namespace maml {

struct IterationSchedule {
    double metaLr = 1e-3;
    bool firstOrder = false;
    /// Weight of the query loss after each inner step; empty: only the last step's (MAML).
    std::vector<double> stepLossWeights;
};

/// The schedule of meta-iteration `iteration` (0-based) of a run with `config`.
IterationSchedule scheduleAt(const ExperimentConfig& config, int64_t iteration);

/// MAML++'s per-step loss importance vector (get_per_step_loss_importance_vector of
/// Antoniou et al.'s code, with their epoch counter replaced by the iteration): uniform 1/S at
/// iteration 0; each non-final weight falls by 1/(S * annealIterations) per iteration down to
/// 0.03/S, the final one rises by (S-1) times that up to 1 - (S-1)*0.03/S. From iteration
/// `annealIterations` on: empty (the final step's loss only, as their code switches to).
std::vector<double> multiStepLossWeights(int steps, int64_t iteration, int64_t annealIterations);

/// Cosine annealing (torch's CosineAnnealingLR in closed form): from `maxLr` at iteration 0
/// to `minLr` at iteration `iterations`.
double cosineAnnealedLr(double maxLr, double minLr, int64_t iteration, int64_t iterations);

} // namespace maml
