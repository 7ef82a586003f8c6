#include "ui/experiment_check.h"

#include "core/data/episode.h"
#include "core/engine/config.h"
#include "core/util/error.h"

namespace maml::ui {
namespace {

std::vector<int> poolOf(const ExperimentConfig& config, const ImageDataset& dataset,
                        const std::string& split)
{
    const auto& names = config.explicitClasses(split);
    if (names.empty())
        return dataset.splitClasses(split);
    std::vector<int> pool;
    for (const auto& name : names)
        pool.push_back(dataset.classIndex(name));
    return pool;
}

QString poolProblem(const ExperimentConfig& config, const ImageDataset& dataset,
                    const std::string& role, const std::string& split)
{
    try {
        EpisodeSampler sampler(dataset, poolOf(config, dataset, split), config.episodeSpec());
        return {};
    } catch (const Error& e) {
        return QStringLiteral("%1 split '%2': %3")
            .arg(QString::fromStdString(role), QString::fromStdString(split),
                 QString::fromStdString(e.problem()));
    }
}

}  // namespace

QStringList experimentProblems(const ExperimentConfig& config, const ImageDataset* dataset)
{
    QStringList problems;
    for (const auto& p : config.validate())
        problems << QString::fromStdString(p);
    if (!dataset || !problems.isEmpty())
        return problems;
    const std::pair<std::string, std::string> roles[] = {
        {"training", config.trainSplit}, {"validation", config.valSplit}, {"test", config.testSplit}};
    for (const auto& [role, split] : roles)
        if (auto p = poolProblem(config, *dataset, role, split); !p.isEmpty())
            problems << p;
    return problems;
}

}  // namespace maml::ui
