#pragma once
/// \file
/// The distributed half of MetaLearner::computeMetaGradient: this rank's partial sum of task
/// gradients, its loss and accuracy sums and its stop request are added over all ranks with
/// one all-reduce of a single flat float32 buffer, and the sum goes into the parameters' .grad.

#include "core/engine/meta_learner.h"

#include <vector>

namespace maml {

class Collective;

/// What one rank contributes to a meta-gradient.
struct PartialMetaGradient {
    std::vector<torch::Tensor> grads; ///< sum of this rank's task gradients; undefined: unused
    double lossSum = 0;               ///< sum over this rank's tasks of loss / meta-batch size
    double accuracySum = 0;           ///< the same for the query accuracy
    bool stop = false;                ///< this rank asks every rank to stop after this step
};

/// Number of float32 values in the buffer allReduceMetaGradient all-reduces for `params`:
/// every parameter's elements, one "used" count per parameter tensor, loss, accuracy, stop.
int64_t metaGradientBufferSize(const std::vector<torch::Tensor>& params);

/// Adds `partial` over all ranks with one all-reduce and puts the sum into params[i].grad
/// (as MetaLearner does alone: a parameter no rank's tasks used keeps an undefined grad, or a
/// zeroed one). gradNorm is computed from the summed buffer in one fixed order in double
/// precision, so every rank gets the same bits whatever its threads or CPU; finite and
/// stopRequested come from the summed buffer too, so every rank decides alike.
MetaStepResult allReduceMetaGradient(Collective& collective, const std::vector<torch::Tensor>& params,
                                     const PartialMetaGradient& partial);

/// Scales the defined .grad of `params` so that their global norm is at most `maxNorm`, with
/// torch's clip_grad_norm_ formula but the agreed `norm` of allReduceMetaGradient (torch
/// computes its own, whose last bits depend on the thread count and the CPU).
void clipToNorm(const std::vector<torch::Tensor>& params, double norm, double maxNorm);

} // namespace maml
