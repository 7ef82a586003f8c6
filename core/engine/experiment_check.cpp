#include "core/engine/experiment_check.h"

#include "core/engine/model_factory.h"
#include "core/engine/task_source.h"
#include "core/util/registry.h"

#include <exception>

namespace maml {
namespace {

Registry<SettingsCheck>& checks()
{
    static Registry<SettingsCheck> r;
    return r;
}

} // namespace

void registerSettingsCheck(const std::string& name, SettingsCheck check)
{
    checks().add(name, std::move(check));
}

std::vector<std::string> checkSettings(const ExperimentConfig& config)
{
    std::vector<std::string> problems = config.validate();
    for (const auto& [name, check] : checks().entries())
        for (auto& p : check(config))
            problems.push_back(std::move(p));
    return problems;
}

std::vector<std::string> checkExperiment(const ExperimentConfig& config)
{
    auto problems = checkSettings(config);
    if (!problems.empty())
        return problems;
    const std::pair<const char*, std::string> roles[] = {{"training", config.trainSplit},
                                                         {"validation", config.valSplit}};
    try {
        for (const auto& [role, split] : roles)
            if (const auto p = splitProblem(config, split); !p.empty())
                problems.push_back(std::string(role) + " split '" + split + "': " + p);
    } catch (const std::exception& e) {
        // The data itself cannot be opened: one problem, not one per split.
        problems.push_back(e.what());
    }
    return problems;
}

std::string testSplitNote(const ExperimentConfig& config)
{
    try {
        const auto p = splitProblem(config, config.testSplit);
        if (p.empty())
            return {};
        return "test split '" + config.testSplit + "': " + p +
               "; training and validation do not use it: evaluate on the '" + config.valSplit + "' split";
    } catch (const std::exception&) {
        return {}; // data that cannot be opened is checkExperiment's problem, not a note
    }
}

} // namespace maml
