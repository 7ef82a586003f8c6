#include "ui/experiment/experiment_check.h"

#include "core/data/episode.h"
#include "core/engine/config.h"
#include "core/text/text_episode_sampler.h"
#include "core/text/transformer.h"
#include "core/util/error.h"

namespace maml::ui {
namespace {

std::vector<int> poolOf(const ExperimentConfig& config, const ImageDataset& dataset, const std::string& split)
{
    const auto& names = config.explicitClasses(split);
    if (names.empty())
        return dataset.splitClasses(split);
    std::vector<int> pool;
    for (const auto& name : names)
        pool.push_back(dataset.classIndex(name));
    return pool;
}

QString poolProblem(const ExperimentConfig& config, const ImageDataset& dataset, const std::string& role,
                    const std::string& split)
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

QString textPoolProblem(const ExperimentConfig& config, const TextCorpus& corpus, const std::string& role,
                        const std::string& split)
{
    try {
        const WordTokenizer noVocabulary; // the sampler only checks the counts here
        TextEpisodeSampler sampler(corpus, noVocabulary, corpus.select(split), config.episodeSpec());
        return {};
    } catch (const Error& e) {
        const QString where = e.where().empty() || e.where() == corpus.name()
                                  ? QString()
                                  : QStringLiteral(" (%1)").arg(QString::fromStdString(e.where()));
        const QString hint =
            e.hint().empty() ? QString() : QStringLiteral("; %1").arg(QString::fromStdString(e.hint()));
        return QStringLiteral("%1 split '%2': %3%4%5")
            .arg(QString::fromStdString(role), QString::fromStdString(split),
                 QString::fromStdString(e.problem()), where, hint);
    }
}

} // namespace

QStringList experimentProblems(const ExperimentConfig& config, const TextCorpus* corpus)
{
    QStringList problems;
    for (const auto& p : config.validate())
        problems << QString::fromStdString(p);
    try {
        TransformerOptions::fromConfig(config, 2);
    } catch (const Error& e) {
        problems << QString::fromStdString(e.problem() + (e.hint().empty() ? "" : ": " + e.hint()));
    }
    if (!corpus || !problems.isEmpty())
        return problems;
    const std::pair<std::string, std::string> roles[] = {
        {"training", config.trainSplit}, {"validation", config.valSplit}, {"test", config.testSplit}};
    for (const auto& [role, split] : roles)
        if (auto p = textPoolProblem(config, *corpus, role, split); !p.isEmpty())
            problems << p;
    return problems;
}

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

} // namespace maml::ui
