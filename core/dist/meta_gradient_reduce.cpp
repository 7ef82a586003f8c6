#include "core/dist/meta_gradient_reduce.h"

#include "core/dist/collective.h"

#include <cmath>

namespace maml {

int64_t metaGradientBufferSize(const std::vector<torch::Tensor>& params)
{
    int64_t n = 0;
    for (const auto& p : params)
        n += p.numel();
    return n + static_cast<int64_t>(params.size()) + 3;
}

MetaStepResult allReduceMetaGradient(Collective& collective, const std::vector<torch::Tensor>& params,
                                     const PartialMetaGradient& partial)
{
    torch::NoGradGuard noGrad;
    const int64_t total = metaGradientBufferSize(params);
    const int64_t counts = total - static_cast<int64_t>(params.size()) - 3; // first count's index
    auto buffer = torch::zeros({total}, torch::kFloat32);
    auto* data = buffer.data_ptr<float>();
    int64_t offset = 0;
    for (size_t i = 0; i < params.size(); ++i) {
        const int64_t n = params[i].numel();
        if (i < partial.grads.size() && partial.grads[i].defined()) {
            buffer.narrow(0, offset, n).copy_(partial.grads[i].reshape({-1}));
            data[counts + i] = 1.0F;
        }
        offset += n;
    }
    data[total - 3] = static_cast<float>(partial.lossSum);
    data[total - 2] = static_cast<float>(partial.accuracySum);
    data[total - 1] = partial.stop ? 1.0F : 0.0F;

    collective.allReduceSum(buffer);

    data = buffer.data_ptr<float>();
    MetaStepResult r;
    double sq = 0; // one fixed order, in double: the same bits on every rank
    for (int64_t k = 0; k < counts; ++k)
        sq += static_cast<double>(data[k]) * static_cast<double>(data[k]);
    offset = 0;
    for (size_t i = 0; i < params.size(); ++i) {
        auto p = params[i];
        const int64_t n = p.numel();
        if (data[counts + i] > 0)
            p.mutable_grad() = buffer.narrow(0, offset, n).view(p.sizes()).clone();
        else if (p.grad().defined())
            p.mutable_grad().zero_();
        offset += n;
    }
    r.loss = data[total - 3];
    r.accuracy = data[total - 2];
    r.stopRequested = data[total - 1] > 0;
    r.gradNorm = std::sqrt(sq);
    r.finite = std::isfinite(r.loss) && std::isfinite(r.gradNorm);
    return r;
}

void clipToNorm(const std::vector<torch::Tensor>& params, double norm, double maxNorm)
{
    const double coefficient = maxNorm / (norm + 1e-6); // torch::nn::utils::clip_grad_norm_'s
    if (coefficient >= 1)
        return;
    torch::NoGradGuard noGrad;
    for (const auto& p : params)
        if (p.grad().defined())
            p.grad().mul_(coefficient);
}

} // namespace maml
