#include "ui/train/run_history.h"

#include "core/engine/metrics_log.h"
#include "core/engine/trainer.h"
#include "core/util/error.h"

#include <QDir>
#include <QFileInfo>

#include <cmath>

namespace maml::ui {
namespace {

/// The "inner_lrs" of a metrics.jsonl record ({"names": [...], "rates": [[...], ...]}), or an
/// empty table if the record has none or it is malformed (a hand-edited file must not reach the
/// chart: names and rows must match, and every rate must be a finite number of sensible size).
InnerLrTable innerLrsOf(const nlohmann::json& o)
{
    const auto it = o.find("inner_lrs");
    if (it == o.end() || !it->is_object())
        return {};
    const auto names = it->find("names");
    const auto rates = it->find("rates");
    if (names == it->end() || rates == it->end() || !names->is_array() || !rates->is_array() ||
        names->size() != rates->size() || names->empty() || names->size() > 1000)
        return {};
    InnerLrTable t;
    for (size_t i = 0; i < names->size(); ++i) {
        const auto& name = (*names)[i];
        const auto& row = (*rates)[i];
        if (!name.is_string() || !row.is_array() || row.empty() || row.size() > 1000)
            return {};
        std::vector<double> values;
        for (const auto& r : row) {
            if (!r.is_number() || !std::isfinite(r.get<double>()) || std::abs(r.get<double>()) > 1e6)
                return {};
            values.push_back(r.get<double>());
        }
        t.names.push_back(name.get<std::string>());
        t.rates.push_back(std::move(values));
    }
    return t;
}

} // namespace

void RunHistory::add(const TrainProgress& p)
{
    if (p.iterations > 0)
        iterations = p.iterations;
    if (!p.innerLrs.empty())
        innerLrs = p.innerLrs;
    if (p.hasValidation)
        validation.append(p);
    else
        train.append(p);
}

QVector<TrainProgress> RunHistory::addRecord(const nlohmann::json& o)
{
    const auto r = parseMetricsRecord(o);
    if (!r)
        return {};
    TrainProgress p;
    p.iteration = r->iteration;
    p.iterations = iterations;
    p.trainLoss = r->trainLoss;
    p.trainAccuracy = r->trainAccuracy;
    p.valLoss = r->valLoss;
    p.valAccuracy = r->valAccuracy;
    p.valCi95 = r->valCi95;
    p.elapsedSeconds = r->seconds;
    // The file keeps cumulative seconds; the speed is the slope between two lines.
    if (p.elapsedSeconds > lastSeconds && p.iteration > lastIteration)
        p.itersPerSecond = (p.iteration - lastIteration) / (p.elapsedSeconds - lastSeconds);
    if (p.itersPerSecond > 0 && iterations > p.iteration)
        p.etaSeconds = (iterations - p.iteration) / p.itersPerSecond;
    lastSeconds = p.elapsedSeconds;
    lastIteration = p.iteration;
    QVector<TrainProgress> added;
    if (r->hasTrain) {
        this->train.append(p);
        added.append(p);
    }
    if (auto lrs = innerLrsOf(o); !lrs.empty())
        innerLrs = std::move(lrs);
    if (r->hasValidation) {
        p.hasValidation = true;
        validation.append(p);
        added.append(p);
    }
    return added;
}

RunHistory RunHistory::load(const QString& dir)
{
    const RunPaths paths{dir.toStdString()};
    const bool hasConfig = QFileInfo::exists(QString::fromStdString(paths.config().string()));
    if (!QFileInfo::exists(QString::fromStdString(paths.metrics().string())) && !hasConfig)
        throw Error("no training run here (no metrics.jsonl or config.json)", dir.toStdString(),
                    "Choose a folder written by `maml-cli train --run-dir` or the Train page");
    RunHistory history;
    history.dir = QFileInfo(dir).absoluteFilePath();
    history.name = QDir(dir).dirName();
    if (hasConfig) {
        try {
            history.iterations = loadConfig(paths.config().string()).iterations;
        } catch (const std::exception& e) {
            // The curves are still worth showing; the page says why the run cannot continue.
            history.configProblem = QString::fromUtf8(e.what());
        }
    }
    const bool hasMetrics = QFileInfo::exists(QString::fromStdString(paths.metrics().string()));
    const auto records = hasMetrics ? MetricsLog(paths.metrics()).read() : std::vector<nlohmann::json>{};
    for (const auto& o : records)
        history.addRecord(o);
    return history;
}

} // namespace maml::ui
