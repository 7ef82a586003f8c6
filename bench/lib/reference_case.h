#pragma once
// A meta-batch written by `reference_maml.py export`: initial weights, episodes and the
// reference's meta-gradient, to check that both implementations compute the same thing.

#include "bench/lib/bench_settings.h"

#include <string>
#include <vector>

namespace maml::bench {

struct ReferenceCase {
    MamlSettings settings;
    std::vector<torch::Tensor> params; ///< initial meta-parameters, Conv4's order
    std::vector<Episode> episodes;
    std::vector<torch::Tensor> grads; ///< the reference's meta-gradient (mean over tasks)
    double loss = 0;                  ///< the reference's mean query loss
    /// Per-step BatchNorm: the running means and variances after the meta-batch, per block.
    std::vector<torch::Tensor> runningMeans, runningVars;
    /// The schedule the reference used (schedule.h's values, computed by the reference).
    double metaLr = 1e-3;
    bool firstOrderUsed = false;
    std::vector<double> stepLossWeights; ///< one per inner step (the last 1 without the multi-step loss)
};

/// Reads PREFIX.json (manifest) and PREFIX.bin (raw tensors). Throws maml::Error if either is
/// missing, truncated or inconsistent.
ReferenceCase loadReferenceCase(const std::string& prefix);

} // namespace maml::bench
