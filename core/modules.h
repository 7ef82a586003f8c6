#pragma once
/// \file
/// The one place where the engine's built-in modules are registered with its registries
/// (model factories, task sources, config preparers, presets). Every program calls
/// registerBuiltinModules() once at start-up, before it looks anything up: app/cli/main.cpp,
/// app/gui/main.cpp, the test and benchmark mains.

namespace maml {

/// Registers, in this order: the presets of resources/presets.json, the Conv-4 model, the
/// image task sources, and the text module (Transformer model, text task sources, its config
/// preparer and presets). A second call does nothing.
void registerBuiltinModules();

} // namespace maml
