#include "core/engine/conv4.h"

#include "core/engine/max_pool.h"
#include "core/engine/second_order_ops.h"
#include "core/util/error.h"

#include <algorithm>
#include <sstream>

namespace maml {

namespace F = torch::nn::functional;

namespace {
constexpr int kBlocks = 4;
constexpr int kPerBlock = 4; // conv weight, conv bias, BN weight, BN bias
constexpr double kEps = 1e-5;
constexpr double kMomentum = 0.1; // torch's BatchNorm default, also MAML++'s
} // namespace

TorchOperators TorchOperators::parse(const std::string& list)
{
    TorchOperators t;
    std::stringstream in(list);
    std::string unknown;
    for (std::string item; std::getline(in, item, ',');) {
        if (item == "conv" || item == "all")
            t.conv = true;
        if (item == "bn" || item == "all")
            t.bn = true;
        if (item == "pool" || item == "all")
            t.pool = true;
        if (item != "conv" && item != "bn" && item != "pool" && item != "all" && !item.empty())
            unknown += (unknown.empty() ? "" : ", ") + item;
    }
    if (!unknown.empty())
        throw Error("unknown operator name(s): " + unknown, "torch operators", "Use conv, bn, pool or all");
    return t;
}

int Conv4::featureSide(int imageSize)
{
    int side = imageSize;
    for (int b = 0; b < kBlocks; ++b)
        side /= 2;
    return side;
}

Conv4::Conv4(const Conv4Options& options) : m_options(options)
{
    if (featureSide(options.imageSize) < 1)
        throw Error("image size " + std::to_string(options.imageSize) + " is too small for Conv-4", "model",
                    "Use images of at least 16x16");
    if (options.perStepBatchNorm < 0)
        throw Error("per-step BatchNorm needs a positive number of steps", "model");
    const int64_t steps = options.perStepBatchNorm;
    auto bnShape = [&](int64_t features) {
        return steps > 0 ? std::vector<int64_t>{steps, features} : std::vector<int64_t>{features};
    };
    int in = options.channels;
    for (int b = 0; b < kBlocks; ++b) {
        // torch's own Conv2d initialisation (Kaiming uniform), then BN weight 1 and bias 0.
        torch::nn::Conv2d conv(torch::nn::Conv2dOptions(in, options.filters, 3).padding(1));
        const std::string p = "block" + std::to_string(b) + "_";
        m_params.push_back(register_parameter(p + "conv_weight", conv->weight.detach().clone()));
        m_params.push_back(register_parameter(p + "conv_bias", conv->bias.detach().clone()));
        m_params.push_back(register_parameter(p + "bn_weight", torch::ones(bnShape(options.filters))));
        m_params.push_back(register_parameter(p + "bn_bias", torch::zeros(bnShape(options.filters))));
        m_runningMean.push_back(
            register_buffer(p + "bn_running_mean", torch::zeros(bnShape(options.filters))));
        m_runningVar.push_back(register_buffer(p + "bn_running_var", torch::ones(bnShape(options.filters))));
        in = options.filters;
    }
    const int side = featureSide(options.imageSize);
    torch::nn::Linear head(options.filters * side * side, options.ways);
    m_params.push_back(register_parameter("head_weight", head->weight.detach().clone()));
    m_params.push_back(register_parameter("head_bias", head->bias.detach().clone()));
}

std::vector<torch::Tensor> Conv4::weights()
{
    // Read through the registry so that module.to(device/dtype) is reflected; the learnable
    // inner learning rates (registered on the same module) are not weights.
    std::vector<torch::Tensor> out;
    for (const auto& p : named_parameters(/*recurse=*/false))
        if (p.key() != kInnerLrsName)
            out.push_back(p.value());
    return out;
}

std::vector<bool> Conv4::adaptedWeights()
{
    std::vector<bool> mask(kBlocks * kPerBlock + 2, true);
    if (m_options.perStepBatchNorm > 0)
        for (int b = 0; b < kBlocks; ++b)
            mask[b * kPerBlock + 2] = mask[b * kPerBlock + 3] = false;
    return mask;
}

torch::Tensor Conv4::convolution(const torch::Tensor& x, const torch::Tensor& weight,
                                 const torch::Tensor& bias)
{
    return m_options.torchOperators.conv ? F::conv2d(x, weight, F::Conv2dFuncOptions().bias(bias).padding(1))
                                         : conv2dSecondOrder(x, weight, bias, /*padding=*/1);
}

torch::Tensor Conv4::poolRelu(const torch::Tensor& y)
{
    return torch::relu(m_options.torchOperators.pool ? F::max_pool2d(y, F::MaxPool2dFuncOptions(2))
                                                     : maxPool2x2(y));
}

torch::Tensor Conv4::block(const torch::Tensor& x, const std::vector<torch::Tensor>& params, int b,
                           bool training)
{
    const auto* p = &params[b * kPerBlock];
    // Convolution, BatchNorm and max-pool written for second-order MAML (second_order_ops.h,
    // max_pool.h): the same values, faster double backwards, less kept for them.
    // Options().torchOperators switches each back to torch's own operator (the benchmark's
    // ablation).
    const bool torchBn = m_options.torchOperators.bn, torchPool = m_options.torchOperators.pool;
    auto y = convolution(x, p[0], p[1]);
    // Max-pool, then ReLU: the same values and gradients as ReLU then max-pool (both are
    // monotone, and a window whose maximum is <= 0 gives 0 and no gradient either way), but the
    // ReLU and its backward run on a quarter of the elements. The meta-gradient check in
    // bench/ compares against the reference's ReLU-then-pool order.
    // The batch's own statistics: always in the "batch" mode; at test time when scoring asks for
    // them (testBatchStatistics), without touching the running statistics.
    const bool batchStats = m_options.batchStatistics || (!training && m_options.testBatchStatistics);
    if (batchStats && !torchBn && !torchPool)
        return torch::relu(batchNormMaxPoolSecondOrder(y, p[2], p[3], kEps));
    if (batchStats && !torchBn) {
        y = batchNormSecondOrder(y, p[2], p[3], kEps);
    } else {
        const bool useBatchStats = m_options.batchStatistics || training;
        torch::Tensor mean, var;
        if (!m_options.batchStatistics) {
            mean = m_runningMean[b];
            var = m_runningVar[b];
        }
        y = torch::batch_norm(y, p[2], p[3], mean, var, useBatchStats, kMomentum, kEps,
                              /*cudnn_enabled=*/false);
    }
    return poolRelu(y);
}

torch::Tensor Conv4::perStepBlock(const torch::Tensor& x, const std::vector<torch::Tensor>& params, int b,
                                  bool training, const StepContext& step)
{
    const auto* p = &params[b * kPerBlock];
    const int k = std::clamp(step.step, 0, m_options.perStepBatchNorm - 1);
    const auto gamma = p[2].select(0, k), beta = p[3].select(0, k);
    auto y = convolution(x, p[0], p[1]);
    if (!training && !m_options.testBatchStatistics) {
        // Each query is normalised with the step's running statistics: no query's prediction
        // depends on the other queries (not transductive).
        y = torch::batch_norm(y, gamma, beta, m_runningMean[b][k], m_runningVar[b][k], /*training=*/false,
                              kMomentum, kEps, /*cudnn_enabled=*/false);
        return poolRelu(y);
    }
    if (step.updateStatistics)
        updateRunningStatistics(y, b, k);
    const bool torchBn = m_options.torchOperators.bn, torchPool = m_options.torchOperators.pool;
    if (!torchBn && !torchPool)
        return torch::relu(batchNormMaxPoolSecondOrder(y, gamma, beta, kEps));
    y = torchBn ? torch::batch_norm(y, gamma, beta, {}, {}, /*training=*/true, kMomentum, kEps, false)
                : batchNormSecondOrder(y, gamma, beta, kEps);
    return poolRelu(y);
}

void Conv4::updateRunningStatistics(const torch::Tensor& y, int b, int step)
{
    // torch's BatchNorm update (unbiased variance, momentum 0.1), kept apart from the
    // differentiated normalisation so that the second-order operators stay in use.
    torch::NoGradGuard noGrad;
    const auto d = y.detach();
    const std::vector<int64_t> dims{0, 2, 3};
    const auto mean = d.mean(dims);
    const auto var = d.var(at::IntArrayRef(dims), /*unbiased=*/true, /*keepdim=*/false);
    m_runningMean[b][step].mul_(1 - kMomentum).add_(mean, kMomentum);
    m_runningVar[b][step].mul_(1 - kMomentum).add_(var, kMomentum);
}

torch::Tensor Conv4::forward(const torch::Tensor& x, const std::vector<torch::Tensor>& params, bool training)
{
    return forwardAt(x, params, training, StepContext{});
}

torch::Tensor Conv4::forwardAt(const torch::Tensor& x, const std::vector<torch::Tensor>& params,
                               bool training, const StepContext& step)
{
    if (params.size() != kBlocks * kPerBlock + 2)
        throw Error("Conv-4 expects " + std::to_string(kBlocks * kPerBlock + 2) + " weight tensors, got " +
                        std::to_string(params.size()),
                    "Conv4::forward");
    auto y = x;
    for (int b = 0; b < kBlocks; ++b)
        y = m_options.perStepBatchNorm > 0 ? perStepBlock(y, params, b, training, step)
                                           : block(y, params, b, training);
    y = y.flatten(1);
    return torch::addmm(params[kBlocks * kPerBlock + 1], y, params[kBlocks * kPerBlock].t());
}

std::string Conv4::torchScriptNet() const
{
    // forward() with training = false: batch statistics in the "batch" mode, the running
    // statistics otherwise; max-pool then ReLU, as block() computes it.
    std::string code = "def net(self, x: Tensor) -> Tensor:\n    y = x\n";
    for (int b = 0; b < kBlocks; ++b) {
        const std::string p = "self.block" + std::to_string(b) + "_";
        code += "    y = torch.conv2d(y, " + p + "conv_weight, " + p + "conv_bias, [1, 1], [1, 1])\n";
        if (m_options.perStepBatchNorm > 0) {
            const std::string k = "[" + std::to_string(m_options.perStepBatchNorm - 1) + "]";
            code += "    y = torch.batch_norm(y, " + p + "bn_weight" + k + ", " + p + "bn_bias" + k + ", " +
                    p + "bn_running_mean" + k + ", " + p + "bn_running_var" + k +
                    ", False, 0.0, 1e-5, False)\n";
        } else if (m_options.batchStatistics)
            code += "    y = torch.batch_norm(y, " + p + "bn_weight, " + p +
                    "bn_bias, None, None, True, 0.0, 1e-5, False)\n";
        else
            code += "    y = torch.batch_norm(y, " + p + "bn_weight, " + p + "bn_bias, " + p +
                    "bn_running_mean, " + p + "bn_running_var, False, 0.0, 1e-5, False)\n";
        code += "    y = torch.relu(torch.max_pool2d(y, [2, 2]))\n";
    }
    code += "    return torch.addmm(self.head_bias, torch.flatten(y, 1), self.head_weight.t())\n";
    return code;
}

nlohmann::json Conv4::architecture() const
{
    return {{"model", "conv4"},
            {"channels", m_options.channels},
            {"image_size", m_options.imageSize},
            {"filters", m_options.filters},
            {"ways", m_options.ways},
            {"batch_norm", m_options.perStepBatchNorm > 0 ? "per-step"
                           : m_options.batchStatistics    ? "batch"
                                                          : "running"},
            {"bn_steps", m_options.perStepBatchNorm}};
}

} // namespace maml
