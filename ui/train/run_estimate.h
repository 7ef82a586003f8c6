#pragma once
// How long a training run will take, estimated from its settings before any step has run (the
// Train page asks before starting a run of hours). The running ETA, from measured step times,
// is core's EtaEstimator.

#include "core/engine/config.h"

#include <QString>

namespace maml::ui {

/// Runs estimated longer than this ask before they start (3 hours).
constexpr double kLongRunSeconds = 3 * 3600.0;

/// Estimated wall-clock seconds of training `config` from scratch on this machine: its
/// meta-iterations and validations, from the model's multiply-adds per item. Rough (within a
/// factor of about 2 of what was measured); 0 for a model it does not know.
double estimatedTrainingSeconds(const ExperimentConfig& config);

/// "52 s", "3 min 4 s", "96 h 12 min".
QString formatDuration(double seconds);

} // namespace maml::ui
