#include "ui/train/run_history.h"

#include "core/engine/metrics_log.h"
#include "core/engine/trainer.h"
#include "core/util/error.h"

#include <QDir>
#include <QFileInfo>

#include <cmath>

namespace maml::ui {
namespace {

double number(const nlohmann::json& o, const char* key, bool* found = nullptr)
{
    const auto it = o.find(key);
    const bool ok = it != o.end() && it->is_number();
    if (found)
        *found = ok;
    return ok ? it->get<double>() : 0.0;
}

/// Values a trainer can write: an iteration within the engine's bound, accuracies in [0, 1],
/// finite losses and times of sensible size.
bool plausible(const TrainProgress& p)
{
    const auto within = [](double x, double low, double high) {
        return std::isfinite(x) && x >= low && x <= high;
    };
    return p.iteration >= 0 && p.iteration <= ExperimentConfig::kMaxIterations &&
           within(p.trainAccuracy, 0, 1) && within(p.valAccuracy, 0, 1) && within(p.valCi95, 0, 1) &&
           within(p.trainLoss, -1e12, 1e12) && within(p.valLoss, -1e12, 1e12) &&
           within(p.elapsedSeconds, 0, 1e10);
}

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
    TrainProgress p;
    const double iteration = number(o, "iteration");
    if (!(iteration >= 0 && iteration <= double(ExperimentConfig::kMaxIterations)))
        return {};
    p.iteration = static_cast<int64_t>(iteration);
    p.iterations = iterations;
    bool val = false, train = false;
    p.trainLoss = number(o, "train_loss", &train);
    p.trainAccuracy = number(o, "train_accuracy");
    p.valLoss = number(o, "val_loss");
    p.valAccuracy = number(o, "val_accuracy", &val);
    p.valCi95 = number(o, "val_ci95");
    p.elapsedSeconds = number(o, "seconds");
    if (!plausible(p))
        return {};
    // The file keeps cumulative seconds; the speed is the slope between two lines.
    if (p.elapsedSeconds > lastSeconds && p.iteration > lastIteration)
        p.itersPerSecond = (p.iteration - lastIteration) / (p.elapsedSeconds - lastSeconds);
    if (p.itersPerSecond > 0 && iterations > p.iteration)
        p.etaSeconds = (iterations - p.iteration) / p.itersPerSecond;
    lastSeconds = p.elapsedSeconds;
    lastIteration = p.iteration;
    QVector<TrainProgress> added;
    if (train) {
        this->train.append(p);
        added.append(p);
    }
    if (auto lrs = innerLrsOf(o); !lrs.empty())
        innerLrs = std::move(lrs);
    if (val) {
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
