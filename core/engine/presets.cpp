#include "core/engine/presets.h"

#include "core/util/embedded.h"
#include "core/util/error.h"
#include "core/util/registry.h"

namespace maml {

namespace {
using nlohmann::json;

Preset parsePreset(const json& entry)
{
    Preset p;
    p.name = entry.at("name").get<std::string>();
    p.description = entry.value("description", "");
    try {
        p.config = ExperimentConfig::fromJson(entry.value("config", json::object()));
    } catch (const Error& e) {
        throw Error(e.problem(), "preset " + p.name + " in presets.json", e.hint());
    }
    return p;
}

Registry<Preset>& store()
{
    static Registry<Preset> r;
    return r;
}

std::string& defaultName()
{
    static std::string name = "glyphs-5w1s";
    return name;
}
} // namespace

void registerEmbeddedPresets()
{
    const auto& files = embedded::files();
    auto it = files.find("presets.json");
    if (it == files.end())
        throw Error("presets.json is not compiled in", "maml_core", "Rebuild the project");
    const json j = json::parse(it->second);
    defaultName() = j.value("default", "glyphs-5w1s");
    for (const auto& entry : j.at("presets"))
        registerPreset(parsePreset(entry));
}

std::string defaultPresetName()
{
    return defaultName();
}

std::vector<Preset> presets()
{
    std::vector<Preset> out;
    for (auto& [name, p] : store().entries())
        out.push_back(std::move(p));
    return out;
}

std::vector<std::string> presetNames()
{
    return store().names();
}

ExperimentConfig preset(const std::string& name)
{
    if (auto p = store().find(name))
        return p->config;
    std::string known;
    for (const auto& n : presetNames())
        known += (known.empty() ? "" : ", ") + n;
    throw Error("no preset named '" + name + "'", "presets",
                known.empty()
                    ? "No presets are registered: the program must call maml::registerBuiltinModules()"
                    : "Known presets: " + known);
}

void registerPreset(const Preset& p)
{
    store().add(p.name, p);
}

} // namespace maml
