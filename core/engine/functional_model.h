#pragma once
/// \file
/// The model interface the meta-learner works with: a network whose forward pass can run
/// on explicit ("fast") weights, so an inner loop can differentiate through its own updates.

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace maml {

/// Implemented by Conv-4 (images) and the Transformer encoder (text).
class FunctionalModel : public torch::nn::Module {
public:
    /// The meta-parameters, in a fixed order (the order forward(x, params) expects).
    virtual std::vector<torch::Tensor> metaParameters() = 0;

    /// Forward pass with explicit weights `params` (same order and shapes as metaParameters()).
    /// `training` selects BatchNorm behaviour where the model has it (see the config).
    /// x: images [n, C, H, W] float, or token ids [n, L] int64. Returns logits [n, ways].
    virtual torch::Tensor forward(const torch::Tensor& x, const std::vector<torch::Tensor>& params,
                                  bool training) = 0;

    /// Forward pass with the module's own parameters.
    torch::Tensor forward(const torch::Tensor& x, bool training = true)
    {
        return forward(x, metaParameters(), training);
    }

    /// Architecture description, enough to rebuild the model (stored in checkpoints).
    virtual nlohmann::json architecture() const = 0;

    /// True when a forward pass normalises with the statistics of its own batch (BatchNorm in
    /// MAML's transductive mode): a lone query must then be scored together with the support set.
    virtual bool normalisesOverTheBatch() const { return false; }

    /// TorchScript source of `def net(self, x: Tensor) -> Tensor`: the same logits as
    /// forward(x, params, /*training=*/false), reading each parameter and buffer as an attribute
    /// of the script module under its registered name (core/engine/torchscript_export.h).
    virtual std::string torchScriptNet() const = 0;
};

} // namespace maml
