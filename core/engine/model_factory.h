#pragma once
/// \file
/// Building the network named by ExperimentConfig::model; new models register a factory.

#include "core/engine/config.h"
#include "core/engine/functional_model.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace maml {

using ModelFactory = std::function<std::shared_ptr<FunctionalModel>(const ExperimentConfig&)>;

/// Registers (or replaces) the factory for model name `name` (e.g. "transformer").
void registerModelFactory(const std::string& name, ModelFactory factory);
/// Names of the registered models ("conv4" is built in).
std::vector<std::string> modelNames();
/// A freshly initialised model for `config` (uses torch's global generator: seed it first),
/// on config.device. Throws maml::Error for an unknown model name.
std::shared_ptr<FunctionalModel> makeModel(const ExperimentConfig& config);

/// Registration calls of modules that extend the engine (models, task sources, presets).
/// Called once, automatically, before the first lookup in any engine registry. Defined in
/// core/engine/extensions.cpp: a module adds one line there (static initialisers alone are
/// not enough, because maml_core is a static library and unreferenced objects are dropped).
void registerEngineExtensions();

} // namespace maml
