#include "core/engine/config_preparer.h"

#include "core/util/registry.h"

namespace maml {
namespace {
Registry<ConfigPreparer>& preparers()
{
    static Registry<ConfigPreparer> r;
    return r;
}
} // namespace

void registerConfigPreparer(const std::string& name, ConfigPreparer preparer)
{
    preparers().add(name, std::move(preparer));
}

void prepareConfig(ExperimentConfig& config)
{
    for (const auto& [name, prepare] : preparers().entries())
        prepare(config);
}

} // namespace maml
