#pragma once
/// \file
/// Hooks that complete a new run's config before training starts (e.g. the text module stores
/// its word vocabulary in config.extra, so that every checkpoint carries it).

#include "core/engine/config.h"

#include <functional>

namespace maml {

using ConfigPreparer = std::function<void(ExperimentConfig&)>;

/// Registers a hook; hooks run in registration order. Modules call this from their
/// registration function (see registerEngineExtensions()).
void registerConfigPreparer(ConfigPreparer preparer);

/// Runs every registered hook on `config`. The trainer calls it once for a new run, before it
/// builds the model and writes config.json. Hooks must leave unrelated configs unchanged.
void prepareConfig(ExperimentConfig& config);

} // namespace maml
