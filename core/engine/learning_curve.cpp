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

std::optional<CurvePoint> LearningCurve::flattening(int window, double points) const
{
    if (validation.empty())
        return std::nullopt;
    const size_t w = static_cast<size_t>(std::max(1, window));
    std::vector<double> means(validation.size());
    double sum = 0;
    for (size_t i = 0; i < validation.size(); ++i) {
        sum += validation[i].accuracy;
        if (i >= w)
            sum -= validation[i - w].accuracy;
        means[i] = sum / static_cast<double>(std::min(i + 1, w));
    }
    const double top = *std::max_element(means.begin(), means.end());
    for (size_t i = 0; i + 1 < means.size(); ++i)
        if (means[i] >= top - points)
            return validation[i];
    return std::nullopt; // only the last one is there yet: still rising
}

std::vector<CurvePoint> LearningCurve::thinned(int rows) const
{
    const auto n = static_cast<int64_t>(validation.size());
    if (n <= std::max(rows, 3))
        return validation;
    int64_t best = 0; // the earliest of equal maxima, as best()
    for (int64_t i = 1; i < n; ++i)
        if (validation[i].accuracy > validation[best].accuracy)
            best = i;
    std::set<int64_t> keep = {0, best, n - 1};
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
    for (const auto& line : MetricsLog(paths.metrics()).read()) {
        const auto r = parseMetricsRecord(line);
        if (!r)
            continue;
        c.lastIteration = std::max(c.lastIteration, r->iteration);
        c.lastSeconds = std::max(c.lastSeconds, r->seconds);
        if (r->hasTrain)
            train.push_back(r->trainAccuracy);
        if (r->hasValidation)
            c.validation.push_back(
                {r->iteration, r->seconds, r->cpuSeconds, r->valAccuracy, r->valCi95, r->valLoss});
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
