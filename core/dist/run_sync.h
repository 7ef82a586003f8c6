#pragma once
/// \file
/// What a Trainer does differently as one rank of a distributed run, apart from the meta-
/// gradient (MetaLearner::setCollective) and the validation (evaluateLearner's collective):
/// the settings it can check, rank 0's config and state handed to the other ranks at start-up,
/// and rank 0's state taken by every rank at each validation.

#include "core/dist/state_sync.h"
#include "core/engine/config.h"

#include <memory>
#include <string>

namespace maml {

class Collective;

class RunSync {
public:
    explicit RunSync(std::shared_ptr<Collective> collective);

    Collective& collective() { return *m_collective; }
    bool isRankZero() const;

    /// Throws maml::Error for settings that cannot be split over processes (running BatchNorm
    /// statistics, a GPU); every rank checks alike. Warns when ranks would have no task.
    void checkConfig(const ExperimentConfig& config) const;

    /// Rank 0: its final config for the others (before it opens the data, so that every rank
    /// opens it at the same time). Others: that config, waiting up to `timeoutSeconds`.
    void publishConfig(const ExperimentConfig& config);
    ExperimentConfig fetchConfig(double timeoutSeconds);

    /// Rank 0: the state the run starts from. Others: loads it into `model` and `optimizer`.
    void publishStart(FunctionalModel& model, torch::optim::Optimizer& optimizer, const CheckpointInfo& info);
    CheckpointInfo receiveStart(FunctionalModel& model, torch::optim::Optimizer& optimizer,
                                double timeoutSeconds);

    /// At a validation: rank 0 publishes its state, the others continue from it (on one
    /// machine the same bits anyway; ranks on different CPUs may round differently in the
    /// optimizer step, which is logged).
    void agreeOnState(int64_t iteration, FunctionalModel& model, torch::optim::Optimizer& optimizer,
                      const CheckpointInfo& info);

private:
    std::shared_ptr<Collective> m_collective;
    std::string m_lastStateKey; ///< rank 0: the state published at the last validation
};

} // namespace maml
