#pragma once
// Central differences and gradient copies for the gradient tests (MAML and MAML++).

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace maml::test {

/// (objective(params + h e) - objective(params - h e)) / 2h, where e is element `index` of
/// tensor `tensor`. `objective` takes the perturbed copies (detached clones of `params`).
template <typename Objective>
double centralDifference(const std::vector<torch::Tensor>& params, size_t tensor, int64_t index, double h,
                         Objective&& objective)
{
    std::vector<torch::Tensor> plus, minus;
    for (const auto& p : params) {
        plus.push_back(p.detach().clone());
        minus.push_back(p.detach().clone());
    }
    plus[tensor].view(-1)[index] += h;
    minus[tensor].view(-1)[index] -= h;
    return (objective(plus) - objective(minus)) / (2 * h);
}

/// Copies of the gradients a backward pass left in `params` (e.g. after computeMetaGradient).
inline std::vector<torch::Tensor> gradsOf(const std::vector<torch::Tensor>& params)
{
    std::vector<torch::Tensor> grads;
    for (const auto& p : params)
        grads.push_back(p.grad().clone());
    return grads;
}

} // namespace maml::test
