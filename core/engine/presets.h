#pragma once
/// \file
/// Named experiment presets (resources/presets.json, compiled into the binary).

#include "core/engine/config.h"

#include <string>
#include <vector>

namespace maml {

/// A named configuration with a one-line description.
struct Preset {
    std::string name;
    std::string description;
    ExperimentConfig config;
};

/// The name of the default preset ("glyphs-5w1s").
std::string defaultPresetName();
/// Names of all presets, embedded ones first, in file order.
std::vector<std::string> presetNames();
/// All presets.
std::vector<Preset> presets();
/// The preset called `name`; throws maml::Error listing the known names if unknown.
ExperimentConfig preset(const std::string& name);
/// Adds (or replaces) a preset, e.g. from another module's own preset file.
void registerPreset(const Preset& p);
/// Registers the presets of resources/presets.json (compiled in) and its default. Called by
/// registerBuiltinModules() (core/modules.h).
void registerEmbeddedPresets();

} // namespace maml
