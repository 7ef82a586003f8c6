#include "core/engine/config_preparer.h"

#include "core/engine/model_factory.h"

#include <mutex>
#include <vector>

namespace maml {
namespace {

std::mutex& preparersMutex()
{
    static std::mutex m;
    return m;
}

std::vector<ConfigPreparer>& preparers()
{
    static std::vector<ConfigPreparer> p;
    return p;
}

} // namespace

void registerConfigPreparer(ConfigPreparer preparer)
{
    std::lock_guard lock(preparersMutex());
    preparers().push_back(std::move(preparer));
}

void prepareConfig(ExperimentConfig& config)
{
    registerEngineExtensions();
    std::vector<ConfigPreparer> list;
    {
        std::lock_guard lock(preparersMutex());
        list = preparers();
    }
    for (const auto& p : list)
        p(config);
}

} // namespace maml
