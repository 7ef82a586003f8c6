#include "core/engine/presets.h"

#include "core/engine/model_factory.h"
#include "core/util/embedded.h"
#include "core/util/error.h"

#include <mutex>

namespace maml {

namespace {
using nlohmann::json;

struct PresetStore {
    std::mutex mutex;
    std::vector<Preset> list;
    std::string defaultName;
};

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

PresetStore& store()
{
    static PresetStore s;
    static std::once_flag once;
    std::call_once(once, [] {
        const auto& files = embedded::files();
        auto it = files.find("presets.json");
        if (it == files.end())
            throw Error("presets.json is not compiled in", "maml_core", "Rebuild the project");
        const json j = json::parse(it->second);
        s.defaultName = j.value("default", "glyphs-5w1s");
        for (const auto& entry : j.at("presets"))
            s.list.push_back(parsePreset(entry));
    });
    return s;
}

void ensureExtensions()
{
    static std::once_flag once;
    std::call_once(once, [] { registerEngineExtensions(); });
}
} // namespace

std::string defaultPresetName()
{
    return store().defaultName;
}

std::vector<Preset> presets()
{
    ensureExtensions();
    auto& s = store();
    std::lock_guard lock(s.mutex);
    return s.list;
}

std::vector<std::string> presetNames()
{
    std::vector<std::string> names;
    for (const auto& p : presets())
        names.push_back(p.name);
    return names;
}

ExperimentConfig preset(const std::string& name)
{
    std::string known;
    for (const auto& p : presets()) {
        if (p.name == name)
            return p.config;
        known += (known.empty() ? "" : ", ") + p.name;
    }
    throw Error("no preset named '" + name + "'", "presets", "Known presets: " + known);
}

void registerPreset(const Preset& p)
{
    auto& s = store();
    std::lock_guard lock(s.mutex);
    for (auto& existing : s.list)
        if (existing.name == p.name) {
            existing = p;
            return;
        }
    s.list.push_back(p);
}

} // namespace maml
