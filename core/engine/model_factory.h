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
/// on config.device, with MAML++'s learnable inner learning rates when config.lslr. Throws
/// maml::Error for an unknown model name.
std::shared_ptr<FunctionalModel> makeModel(const ExperimentConfig& config);

/// Registers the built-in "conv4" factory. Called by registerBuiltinModules() (core/modules.h).
void registerConv4Model();

} // namespace maml
