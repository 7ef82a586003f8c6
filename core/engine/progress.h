#pragma once
/// \file
/// Plain value types and interfaces through which long engine operations (training,
/// evaluation, adaptation) report progress and are paused or cancelled. No torch here:
/// the GUI passes these across threads.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace maml {

/// MAML++ LSLR: the learned inner learning rates, one row per adapted weight tensor (named as in
/// the checkpoint), one column per inner step. Empty when LSLR is off.
struct InnerLrTable {
    std::vector<std::string> names;
    std::vector<std::vector<double>> rates; ///< rates[tensor][step]
    bool empty() const { return names.empty(); }
};

/// Cancel / pause flags shared between the caller (e.g. the GUI thread or a SIGINT handler)
/// and the engine. The engine checks them between inner steps and between episodes.
struct RunControl {
    std::atomic<bool> cancel{false};
    std::atomic<bool> pause{false};
    bool cancelled() const { return cancel.load(std::memory_order_relaxed); }
};

/// Training progress after one meta-iteration (and, when hasValidation, a validation).
struct TrainProgress {
    int64_t iteration = 0;                   ///< meta-iterations completed
    int64_t iterations = 0;                  ///< meta-iterations of the whole run
    double trainLoss = 0, trainAccuracy = 0; ///< this iteration's mean query loss / accuracy
    bool hasValidation = false;
    double valLoss = 0, valAccuracy = 0, valCi95 = 0;
    bool newBest = false; ///< this validation is the best so far (best.pt was written)
    double itersPerSecond = 0;
    double etaSeconds = 0;
    double elapsedSeconds = 0; ///< wall time of this session of the run
    double metaLr = 0;         ///< the meta learning rate this iteration used (cosine annealing)
    InnerLrTable innerLrs;     ///< after a validation, when LSLR is on
};

/// What a finished (or cancelled) training run reports.
struct TrainSummary {
    int64_t iterationsDone = 0;
    int64_t iterations = 0;
    bool cancelled = false;
    double seconds = 0; ///< wall time of this session
    double lastTrainLoss = 0, lastTrainAccuracy = 0;
    double bestValAccuracy = -1; ///< -1 when never validated
    double bestValCi95 = 0;
    int64_t bestIteration = -1;
    std::string runDir, lastCheckpoint, bestCheckpoint;
    InnerLrTable innerLrs; ///< the learned inner learning rates at the end, when LSLR is on
};

/// Receives training progress. Called on the training thread; implementations must be quick
/// (the GUI forwards a copy through a queued signal, throttled).
class TrainObserver {
public:
    virtual ~TrainObserver() = default;
    virtual void onStart(int64_t firstIteration, int64_t iterations) {}
    virtual void onIteration(const TrainProgress& p) {}
    /// A validation ran (p.hasValidation is true).
    virtual void onValidation(const TrainProgress& p) {}
    virtual void onCheckpoint(const std::string& path, int64_t iteration) {}
    virtual void onFinished(const TrainSummary& s) {}
};

/// Evaluation progress, once per finished episode.
struct EvalProgress {
    int done = 0;
    int total = 0;
    double accuracy = 0;         ///< mean accuracy so far (meta-learned model)
    double baselineAccuracy = 0; ///< mean accuracy so far (baseline), 0 when not run
};

} // namespace maml
