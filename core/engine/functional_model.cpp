#include "core/engine/functional_model.h"

#include "core/util/error.h"

namespace maml {

std::vector<torch::Tensor> FunctionalModel::metaParameters()
{
    auto out = weights();
    if (auto lrs = innerLearningRates(); lrs.defined())
        out.push_back(lrs);
    return out;
}

void FunctionalModel::enableInnerLearningRates(int steps, double initial)
{
    if (steps < 1)
        throw Error("learnable inner learning rates need at least one inner step", "model");
    if (innerLearningRates().defined())
        return;
    const auto mask = adaptedWeights();
    const auto adapted = static_cast<int64_t>(std::count(mask.begin(), mask.end(), true));
    const auto like = weights().front();
    register_parameter(kInnerLrsName, torch::full({adapted, steps}, initial, like.options()));
}

torch::Tensor FunctionalModel::innerLearningRates()
{
    // Read through the registry so that module.to(device/dtype) is reflected.
    const auto params = named_parameters(/*recurse=*/false);
    const auto* lrs = params.find(kInnerLrsName);
    return lrs ? *lrs : torch::Tensor();
}

InnerLrTable FunctionalModel::innerLearningRateTable()
{
    InnerLrTable table;
    const auto lrs = innerLearningRates();
    if (!lrs.defined())
        return table;
    const auto values = lrs.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    const auto w = weights();
    const auto mask = adaptedWeights();
    const auto named = named_parameters(/*recurse=*/false);
    int64_t row = 0;
    for (size_t i = 0; i < w.size() && row < values.size(0); ++i) {
        if (!mask[i])
            continue;
        std::string name = "weight " + std::to_string(i);
        for (const auto& p : named)
            if (p.value().is_same(w[i]))
                name = p.key();
        table.names.push_back(name);
        const double* r = values[row].data_ptr<double>();
        table.rates.emplace_back(r, r + values.size(1));
        ++row;
    }
    return table;
}

} // namespace maml
