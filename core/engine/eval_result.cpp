#include "core/engine/evaluator.h"

namespace maml {

namespace {
using nlohmann::json;

json perClassJson(const EvalResult& r)
{
    json out = json::array();
    for (size_t i = 0; i < r.classNames.size(); ++i)
        out.push_back(
            {{"class", r.classNames[i]}, {"count", r.classCounts[i]}, {"accuracy", r.classAccuracy[i]}});
    return out;
}

json misclassifiedJson(const EvalResult& r, size_t limit)
{
    json out = json::array();
    for (size_t i = 0; i < r.misclassified.size() && i < limit; ++i) {
        const auto& m = r.misclassified[i];
        out.push_back({{"episode", m.episode},
                       {"class", m.trueName},
                       {"index", m.index},
                       {"predicted", m.predictedName},
                       {"source", m.source}});
    }
    return out;
}
} // namespace

std::string describeBatchNorm(const std::string& mode)
{
    if (mode == "batch")
        return "batch statistics (transductive: the query set is normalised with its own statistics)";
    if (mode == "running")
        return "running statistics (each query on its own)";
    if (mode == "per-step")
        return "per-step running statistics of the last adaptation step (each query on its own)";
    if (mode == "per-step-batch")
        return "the last adaptation step's BatchNorm weights with the query set's own statistics "
               "(transductive, as MAML++'s code scores)";
    return mode.empty() ? "none (the model has no BatchNorm)" : mode;
}

json EvalResult::toJson() const
{
    json j = {{"accuracy", accuracy.mean},
              {"ci95", accuracy.ci95},
              {"loss", loss.mean},
              {"loss_ci95", loss.ci95},
              {"episodes", episodes},
              {"ways", ways},
              {"shots", shots},
              {"queries", queries},
              {"steps", steps},
              {"dataset", dataset},
              {"split", split},
              {"batch_norm", batchNorm},
              {"seconds", seconds},
              {"cancelled", cancelled}};
    if (hasBaseline) {
        j["baseline_accuracy"] = baselineAccuracy.mean;
        j["baseline_ci95"] = baselineAccuracy.ci95;
        j["baseline_loss"] = baselineLoss.mean;
    }
    for (const auto& b : referenceBaselines) {
        if (!b.error.empty()) {
            j[b.key + "_error"] = b.error;
            continue;
        }
        j[b.key + "_accuracy"] = b.accuracy.mean;
        j[b.key + "_ci95"] = b.accuracy.ci95;
        j.update(b.extra);
    }
    j["per_class"] = perClassJson(*this);
    j["misclassified_count"] = misclassifiedTotal;
    j["query_items"] = queryItems;
    j["misclassified"] = misclassifiedJson(*this, 100);
    if (!confusion.empty()) {
        j["confusion_classes"] = classNames;
        j["confusion"] = confusion;
    }
    return j;
}

} // namespace maml
