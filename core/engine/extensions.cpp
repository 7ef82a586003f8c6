// Registration calls of the modules that extend the engine. maml_core is a static library, so
// a module's registration must be reached from here (a static initialiser in an otherwise
// unreferenced object file would be dropped by the linker).
#include "core/engine/model_factory.h"

#include <mutex>

namespace maml {

void registerConv4Model();       // core/engine/model_factory.cpp
void registerImageTaskSources(); // core/engine/image_task_source.cpp
void registerTextExtensions();   // core/text/text_task_source.cpp

void registerEngineExtensions()
{
    static std::once_flag once;
    std::call_once(once, [] {
        registerConv4Model();
        registerImageTaskSources();
        registerTextExtensions();
        // Other modules add their one-line registration call here, e.g. registerTextEngine();
    });
}

} // namespace maml
