#pragma once
/// \file
/// Meta-training runs: a run directory with config.json, metrics.jsonl, train.log and
/// checkpoints/{last,best}.pt; resume; cancel/pause; NaN guard. No torch in this header.

#include "core/engine/config.h"
#include "core/engine/progress.h"

#include <filesystem>
#include <memory>
#include <string>

namespace maml {

class Collective;

/// Layout of a run directory.
struct RunPaths {
    std::filesystem::path dir;
    std::filesystem::path config() const { return dir / "config.json"; }
    std::filesystem::path metrics() const { return dir / "metrics.jsonl"; }
    std::filesystem::path log() const { return dir / "train.log"; }
    /// The log of rank `rank` > 0 of a distributed run (rank 0 writes log()).
    std::filesystem::path rankLog(int rank) const
    {
        return dir / ("train.rank" + std::to_string(rank) + ".log");
    }
    std::filesystem::path last() const { return dir / "checkpoints" / "last.pt"; }
    std::filesystem::path best() const { return dir / "checkpoints" / "best.pt"; }
};

/// How this process takes part in a run: alone, or as one rank of a distributed run.
struct RunRole {
    /// Distributed (core/dist): each meta-batch, validation and start-up state is shared with
    /// the other ranks; only rank 0 writes the run folder's config, metrics, train.log and
    /// checkpoints (the others write train.rank<R>.log). Null: alone.
    std::shared_ptr<Collective> collective;
    int threads = -1; ///< torch threads of this process, not stored in the config; -1: the config's
    double startupTimeoutSeconds = 600; ///< how long ranks wait for each other to open the data
};

/// One meta-training run. Create with startRun or resumeRun (rank 0 of a distributed run too)
/// or joinRun (the other ranks), then call run() (on a worker thread if you like; all
/// callbacks come from that thread).
class Trainer {
public:
    ~Trainer();
    Trainer(Trainer&&) noexcept;
    Trainer& operator=(Trainer&&) noexcept;

    /// A new run in `runDir` (created; must not already hold a run). Validates the config,
    /// opens the data (maml::Error if impossible), writes config.json. Both startRun and
    /// resumeRun lock the folder for the Trainer's lifetime (core/util/run_lock.h): a folder
    /// another process trains is a maml::Error naming that process. Only rank 0 of a
    /// distributed run (`role`) writes and locks the folder.
    static Trainer startRun(const ExperimentConfig& config, const std::filesystem::path& runDir,
                            const RunRole& role = {});
    /// Continues the run in `runDir` from checkpoints/last.pt (or from scratch if the run never
    /// reached a checkpoint). `iterations` > 0 changes the run's total iterations; fewer than
    /// the run has done is a maml::Error (config.json is left as it was).
    static Trainer resumeRun(const std::filesystem::path& runDir, int64_t iterations = 0,
                             const RunRole& role = {});
    /// Rank > 0 of a distributed run that rank 0 starts or resumes: takes rank 0's config and
    /// state (so `runDir` need not exist on this machine; it is created for this rank's log).
    static Trainer joinRun(const std::filesystem::path& runDir, const RunRole& role);

    const ExperimentConfig& config() const;
    const RunPaths& paths() const;
    /// Iteration the next run() starts from (0 for a new run).
    int64_t startIteration() const;

    /// Trains until config().iterations, or until `control` cancels (last.pt is then written
    /// for the last completed iteration, summary.cancelled = true; distributed, a cancel on any
    /// rank stops every rank after the same completed iteration). last.pt is also written at
    /// every validation and every config().checkpointMinutes. A NaN or infinite loss throws
    /// maml::Error naming the iteration last.pt keeps. A checkpoint that cannot be written (a
    /// full disk) throws maml::Error and leaves the previous file intact. `observer` and
    /// `control` may be null.
    TrainSummary run(TrainObserver* observer = nullptr, RunControl* control = nullptr);

private:
    struct Impl;
    explicit Trainer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace maml
