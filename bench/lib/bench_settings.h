#pragma once
// What the benchmarks share: the MAML settings both implementations run (the same flags as
// bench/reference_maml.py), episodes, the model, and measurements (time, peak memory).

#include "core/data/episode.h"
#include "core/engine/conv4.h"
#include "core/engine/meta_learner.h"
#include "core/engine/schedule.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <vector>

namespace maml::bench {

struct MamlSettings {
    int ways = 5, shots = 5, queries = 15;
    int metaBatch = 4;
    int steps = 5;
    double innerLr = 0.01;
    bool firstOrder = false;
    int filters = 32, channels = 3, size = 32;
    std::string torchOps; ///< Conv-4 operators to take from torch ("conv,bn,pool", "all"; ablation)
    // MAML++ parts (the same flags as reference_maml.py)
    bool lslr = false, perStepBn = false, multiStepLoss = false, cosineMetaLr = false;
    int64_t mslIterations = 1000, firstOrderIterations = 0;
    double metaLrMin = 1e-5;
    int64_t runIterations = 1000;      ///< the run's length (cosine annealing)
    int64_t iteration = 0;             ///< the iteration whose schedule applies
    bool checkpointInnerSteps = false; ///< ours only: recompute inner steps in the backward pass
};

/// Adds --ways, --shots, ... (the names reference_maml.py uses) to `app`.
void addSettingsOptions(CLI::App& app, MamlSettings& s);

/// `s.metaBatch` episodes of uniform random images, labels class-major, as the reference makes
/// them (the values differ from Python's; timing does not depend on them).
std::vector<Episode> randomEpisodes(const MamlSettings& s, uint64_t seed);

std::shared_ptr<Conv4> makeConv4(const MamlSettings& s);
MetaLearnerOptions learnerOptionsFor(const MamlSettings& s, bool taskParallel, bool tunedAllocator = true);
/// `s` as an experiment config: learnerOptions() and the schedule (schedule.h) read it.
ExperimentConfig scheduleConfig(const MamlSettings& s);
/// A MetaLearner for `s` with the schedule of s.iteration applied.
std::unique_ptr<MetaLearner> makeLearner(const MamlSettings& s, bool taskParallel,
                                         bool tunedAllocator = true);

/// Peak resident memory of this process so far, in KiB (getrusage).
long peakRssKb();
double median(std::vector<double> v);

} // namespace maml::bench
