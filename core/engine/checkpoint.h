#pragma once
/// \file
/// Checkpoints: model weights and buffers, optimizer state, torch RNG state, the config and
/// the iteration, in one file written atomically (temporary name + rename).

#include "core/engine/config.h"
#include "core/engine/functional_model.h"

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

namespace maml {

/// What a checkpoint holds besides tensors.
struct CheckpointInfo {
    ExperimentConfig config;
    int64_t iteration = 0;
    double bestValAccuracy = -1;
    int64_t bestIteration = -1;
    nlohmann::json extra = nlohmann::json::object(); ///< free-form (e.g. last validation)
};

/// Writes `model` (parameters and buffers), `optimizer` (may be null), torch's CPU RNG state
/// and `info` to `path` atomically. Throws maml::Error when the file cannot be written.
void saveCheckpoint(const std::filesystem::path& path, FunctionalModel& model,
                    torch::optim::Optimizer* optimizer, const CheckpointInfo& info);

/// Reads only the info of a checkpoint (config, iteration). Throws maml::Error naming the
/// file if it is missing, truncated or not a MAML Workbench checkpoint.
CheckpointInfo readCheckpointInfo(const std::filesystem::path& path);

/// Loads weights (and optimizer state and the RNG state, when given / asked) into objects
/// built from the checkpoint's config. Same errors as readCheckpointInfo, plus a mismatch of
/// parameter shapes.
CheckpointInfo loadCheckpoint(const std::filesystem::path& path, FunctionalModel& model,
                              torch::optim::Optimizer* optimizer = nullptr, bool restoreRng = false);

/// A model rebuilt from a checkpoint (makeModel(config) + loadCheckpoint).
struct LoadedModel {
    std::shared_ptr<FunctionalModel> model;
    CheckpointInfo info;
};
LoadedModel loadModel(const std::filesystem::path& path);

} // namespace maml
