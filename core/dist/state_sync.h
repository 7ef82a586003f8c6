#pragma once
/// \file
/// Rank 0's model and optimizer state, handed to the other ranks through the run's store: at
/// start-up (so that a run or a resumed run starts from rank 0's checkpoint on every machine,
/// even where the run folder does not exist) and at every validation (so that ranks whose
/// floating-point results drifted apart, e.g. on different CPUs, agree again). The state
/// travels as checkpoint bytes (checkpoint.h), so it is checked like a checkpoint file.

#include "core/engine/checkpoint.h"

#include <string>

namespace maml {

class Collective;

/// Rank 0: publishes `model`, `optimizer` (may be null) and `info` under `key`.
void publishState(Collective& collective, const std::string& key, FunctionalModel& model,
                  torch::optim::Optimizer* optimizer, const CheckpointInfo& info);

/// Other ranks: loads the state under `key` into `model` and `optimizer` (built from its
/// config) and returns its info and the largest absolute difference between the parameters
/// this rank had and rank 0's (0 when they agreed bit for bit).
struct ReceivedState {
    CheckpointInfo info;
    double maxDifference = 0;
};
ReceivedState receiveState(Collective& collective, const std::string& key, FunctionalModel& model,
                           torch::optim::Optimizer* optimizer, double timeoutSeconds);

} // namespace maml
