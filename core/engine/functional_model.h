#pragma once
/// \file
/// The model interface the meta-learner works with: a network whose forward pass can run
/// on explicit ("fast") weights, so an inner loop can differentiate through its own updates.

#include "core/engine/progress.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace maml {

/// Where a forward pass sits in the inner loop, for models with per-step parts (MAML++'s
/// per-step BatchNorm). The forward of inner step k (0-based) and the query forward after it
/// use step k; after S steps the query uses step S - 1.
struct StepContext {
    int step = 0;
    /// A training-mode forward may update the model's per-step running statistics (meta-training
    /// does; adaptation and scoring do not).
    bool updateStatistics = false;
};

/// Implemented by Conv-4 (images) and the Transformer encoder (text).
class FunctionalModel : public torch::nn::Module {
public:
    /// The network's weights, in the fixed order forward(x, params) expects.
    virtual std::vector<torch::Tensor> weights() = 0;

    /// Forward pass with explicit weights `params` (same order and shapes as weights()).
    /// `training` selects BatchNorm behaviour where the model has it (see the config).
    /// x: images [n, C, H, W] float, or token ids [n, L] int64. Returns logits [n, ways].
    virtual torch::Tensor forward(const torch::Tensor& x, const std::vector<torch::Tensor>& params,
                                  bool training) = 0;

    /// Forward pass at an inner step (see StepContext). Models without per-step parts ignore
    /// the step: the default is forward(x, params, training).
    virtual torch::Tensor forwardAt(const torch::Tensor& x, const std::vector<torch::Tensor>& params,
                                    bool training, const StepContext& step)
    {
        return forward(x, params, training);
    }

    /// Which of weights() the inner loop adapts (default: all). Weights it does not adapt (Conv-4's
    /// per-step BatchNorm weights) are still meta-learned.
    virtual std::vector<bool> adaptedWeights() { return std::vector<bool>(weights().size(), true); }

    /// Forward pass with the module's own weights.
    torch::Tensor forward(const torch::Tensor& x, bool training = true)
    {
        return forward(x, weights(), training);
    }

    /// Architecture description, enough to rebuild the model (stored in checkpoints).
    virtual nlohmann::json architecture() const = 0;

    /// True when a forward pass normalises with the statistics of its own batch (BatchNorm in
    /// MAML's transductive mode): a lone query must then be scored together with the support set.
    virtual bool normalisesOverTheBatch() const { return false; }

    /// Scoring option: test-mode forwards normalise with the statistics of their own batch
    /// (transductive, as MAML's and MAML++'s own code scores) instead of the model's running or
    /// per-step statistics. Returns false when the model has no BatchNorm to do this with.
    virtual bool setTestBatchStatistics(bool /*on*/) { return false; }

    /// TorchScript source of `def net(self, x: Tensor) -> Tensor`: the same logits as
    /// forward(x, params, /*training=*/false), reading each parameter and buffer as an attribute
    /// of the script module under its registered name (core/engine/torchscript_export.h).
    virtual std::string torchScriptNet() const = 0;

    /// Every meta-parameter (what Adam updates and a checkpoint keeps), in a fixed order:
    /// weights(), then the learnable inner learning rates when enabled. The inner loop adapts
    /// only the adapted weights; forward takes the first weights().size() entries.
    std::vector<torch::Tensor> metaParameters();

    /// MAML++ LSLR: registers one learnable inner learning rate per adapted weight tensor and
    /// inner step, all starting at `initial` (parameter "inner_lrs", [adapted tensors, steps]).
    void enableInnerLearningRates(int steps, double initial);
    /// The learnable inner learning rates [adapted tensors, steps]; undefined when LSLR is off.
    torch::Tensor innerLearningRates();
    /// The learned inner learning rates with the names of the adapted weights (empty when off).
    InnerLrTable innerLearningRateTable();

    /// Name under which the inner learning rates are registered (models skip it in weights()).
    static constexpr const char* kInnerLrsName = "inner_lrs";
};

} // namespace maml
