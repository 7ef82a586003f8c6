#include "core/modules.h"

#include "core/engine/image_task_source.h"
#include "core/engine/model_factory.h"
#include "core/engine/presets.h"
#include "core/text/text_task_source.h"

#include <mutex>

namespace maml {

void registerBuiltinModules()
{
    static std::once_flag once;
    std::call_once(once, [] {
        registerEmbeddedPresets();
        registerConv4Model();
        registerImageTaskSources();
        registerTextModule();
    });
}

} // namespace maml
