#include "core/engine/learning_curve.h"

#include "core/engine/metrics_log.h"
#include "core/engine/trainer.h"
#include "core/util/error.h"

#include <algorithm>
#include <set>

namespace maml {

std::optional<CurvePoint> LearningCurve::best() const
{
    std::optional<CurvePoint> b;
    for (const auto& p : validation)
        if (!b || p.accuracy > b->accuracy)
            b = p;
    return b;
}

std::optional<CurvePoint> LearningCurve::firstReaching(double accuracy) const
{
    for (const auto& p : validation)
        if (p.accuracy >= accuracy)
            return p;
    return std::nullopt;
}

std::vector<CurvePoint> LearningCurve::thinned(int rows) const
{
    const auto n = static_cast<int64_t>(validation.size());
    if (n <= std::max(rows, 3))
        return validation;
    std::set<int64_t> keep = {0, n - 1};
    const auto b = best();
    for (int64_t i = 0; i < n; ++i)
        if (validation[i].iteration == b->iteration)
            keep.insert(i);
    const int64_t spread = std::max(1, rows - 2);
    for (int64_t k = 1; k < spread && static_cast<int>(keep.size()) < rows; ++k)
        keep.insert(k * (n - 1) / spread);
    std::vector<CurvePoint> out;
    for (auto i : keep)
        out.push_back(validation[i]);
    return out;
}

LearningCurve readLearningCurve(const std::filesystem::path& runDir)
{
    const RunPaths paths{runDir};
    if (!std::filesystem::exists(paths.metrics()))
        throw Error("no metrics.jsonl here: not a training run, or one that has not logged yet",
                    runDir.string(), "Give the --run-dir of a `maml-cli train` run or a Train page run");
    LearningCurve c;
    std::vector<double> train;
    for (const auto& r : MetricsLog(paths.metrics()).read()) {
        const auto iteration = r.value("iteration", int64_t{0});
        const auto seconds = r.value("seconds", 0.0);
        c.lastIteration = std::max(c.lastIteration, iteration);
        c.lastSeconds = std::max(c.lastSeconds, seconds);
        if (r.contains("train_accuracy") && r["train_accuracy"].is_number())
            train.push_back(r["train_accuracy"].get<double>());
        if (r.contains("val_accuracy") && r["val_accuracy"].is_number())
            c.validation.push_back({iteration, seconds, r["val_accuracy"].get<double>(),
                                    r.value("val_ci95", 0.0), r.value("val_loss", 0.0)});
    }
    std::stable_sort(c.validation.begin(), c.validation.end(),
                     [](const CurvePoint& a, const CurvePoint& b) { return a.iteration < b.iteration; });
    c.trainLines = static_cast<int>(train.size());
    if (!train.empty()) {
        const auto tail = std::max<size_t>(1, train.size() / 10);
        double sum = 0;
        for (size_t i = train.size() - tail; i < train.size(); ++i)
            sum += train[i];
        c.meanTrainAccuracy = sum / static_cast<double>(tail);
    }
    return c;
}

} // namespace maml
