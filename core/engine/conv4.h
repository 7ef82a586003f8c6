#pragma once
/// \file
/// Conv-4, the standard few-shot backbone: 4 x [3x3 conv, BatchNorm, ReLU, 2x2 max-pool],
/// then a linear head of N outputs, with a functional forward on explicit (fast) weights.

#include "core/engine/functional_model.h"

namespace maml {

/// Which of Conv-4's operators run as torch's own instead of the second-order ones of
/// second_order_ops.h / max_pool.h (same values; for the benchmark's ablation).
struct TorchOperators {
    bool conv = false, bn = false, pool = false;
    /// From a list such as "conv,bn", "pool" or "all" (empty: none). Unknown names ->
    /// maml::Error naming them.
    static TorchOperators parse(const std::string& list);
};

struct Conv4Options {
    int channels = 1;   ///< input channels
    int imageSize = 28; ///< input height = width
    int filters = 64;   ///< 32 or 64 in the literature; any >= 1 works
    int ways = 5;       ///< outputs of the linear head
    /// true: BatchNorm always normalises with the batch's statistics (MAML, transductive);
    /// false: running statistics at test time (updated by training-mode forwards).
    bool batchStatistics = true;
    TorchOperators torchOperators; ///< all off: our operators (the product's setting)
    /// MAML++ per-step BatchNorm when > 0: that many inner steps each get their own BatchNorm
    /// weights, biases and running statistics (batchStatistics is then ignored). Training-mode
    /// forwards normalise with the batch's statistics; test-mode forwards with the step's
    /// running statistics. Steps beyond the last use the last step's.
    int perStepBatchNorm = 0;
    /// Scoring only (maml-cli eval --batch-norm batch): test-mode forwards normalise with the
    /// batch's own statistics, as in the "batch" mode, although the model was trained with
    /// running or per-step statistics (with per-step BatchNorm, the step's weights and biases
    /// still apply). Running statistics are neither read nor written then.
    bool testBatchStatistics = false;
};

/// Conv-4 as a FunctionalModel. Weight order: for each block b = 0..3: conv weight,
/// conv bias, BN weight, BN bias; then head weight, head bias (18 tensors). With per-step
/// BatchNorm the BN weights and biases are [steps, filters] and the inner loop does not adapt
/// them (as in MAML++: each step has its own).
class Conv4 final : public FunctionalModel {
public:
    explicit Conv4(const Conv4Options& options);

    std::vector<torch::Tensor> weights() override;
    torch::Tensor forward(const torch::Tensor& x, const std::vector<torch::Tensor>& params,
                          bool training) override;
    torch::Tensor forwardAt(const torch::Tensor& x, const std::vector<torch::Tensor>& params, bool training,
                            const StepContext& step) override;
    std::vector<bool> adaptedWeights() override;
    using FunctionalModel::forward;
    nlohmann::json architecture() const override;
    bool normalisesOverTheBatch() const override
    {
        return (m_options.batchStatistics && m_options.perStepBatchNorm == 0) ||
               m_options.testBatchStatistics;
    }
    bool setTestBatchStatistics(bool on) override
    {
        m_options.testBatchStatistics = on;
        return true;
    }
    /// With per-step BatchNorm: the last step's set (forwardAt at step perStepBatchNorm - 1;
    /// adapted models are adapted for at least the trained steps).
    std::string torchScriptNet() const override;

    const Conv4Options& options() const { return m_options; }
    /// Side length of the feature map after the 4 pools (e.g. 28 -> 1, 84 -> 5, 32 -> 2).
    static int featureSide(int imageSize);

private:
    torch::Tensor block(const torch::Tensor& x, const std::vector<torch::Tensor>& params, int b,
                        bool training);
    torch::Tensor perStepBlock(const torch::Tensor& x, const std::vector<torch::Tensor>& params, int b,
                               bool training, const StepContext& step);
    torch::Tensor convolution(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);
    torch::Tensor poolRelu(const torch::Tensor& y);
    void updateRunningStatistics(const torch::Tensor& y, int b, int step);

    Conv4Options m_options;
    std::vector<torch::Tensor> m_params;
    std::vector<torch::Tensor> m_runningMean, m_runningVar;
};

} // namespace maml
