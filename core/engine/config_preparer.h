#pragma once
/// \file
/// Hooks that complete a new run's config before training starts (e.g. the text module stores
/// its word vocabulary in config.extra, so that every checkpoint carries it).

#include "core/engine/config.h"

#include <functional>
#include <string>

namespace maml {

using ConfigPreparer = std::function<void(ExperimentConfig&)>;

/// Registers a hook under `name` (a second registration of a name replaces it); hooks run in
/// registration order. Modules call this from their registration function (core/modules.h).
void registerConfigPreparer(const std::string& name, ConfigPreparer preparer);

/// Runs every registered hook on `config`. The trainer calls it once for a new run, before it
/// builds the model and writes config.json. Hooks must leave unrelated configs unchanged.
void prepareConfig(ExperimentConfig& config);

} // namespace maml
