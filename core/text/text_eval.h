#pragma once
/// \file
/// The text-only part of `maml-cli eval`: the AFINN-165 lexicon baseline on the evaluator's
/// own episodes. No torch in this header.

#include "core/engine/evaluator.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace maml {

/// For a checkpoint of a text dataset: {"afinn_accuracy", "afinn_ci95", "afinn_zero_share"}
/// on the same episodes evaluateCheckpoint(checkpoint, options) uses (the same dataset, split,
/// episode count and seed). An empty object for image checkpoints; {"afinn_error": message}
/// when the lexicon cannot be read (the evaluation itself still stands).
nlohmann::json textEvalBaselines(const std::filesystem::path& checkpoint, const EvalOptions& options);

/// Prints the entries of textEvalBaselines() as lines under the evaluator's summary.
std::string describeTextBaselines(const nlohmann::json& baselines);

} // namespace maml
