#include "core/engine/conv4.h"

#include "core/engine/max_pool.h"
#include "core/engine/second_order_ops.h"
#include "core/util/error.h"

#include <sstream>

namespace maml {

namespace F = torch::nn::functional;

namespace {
constexpr int kBlocks = 4;
constexpr int kPerBlock = 4; // conv weight, conv bias, BN weight, BN bias
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
    int in = options.channels;
    for (int b = 0; b < kBlocks; ++b) {
        // torch's own Conv2d initialisation (Kaiming uniform), then BN weight 1 and bias 0.
        torch::nn::Conv2d conv(torch::nn::Conv2dOptions(in, options.filters, 3).padding(1));
        const std::string p = "block" + std::to_string(b) + "_";
        m_params.push_back(register_parameter(p + "conv_weight", conv->weight.detach().clone()));
        m_params.push_back(register_parameter(p + "conv_bias", conv->bias.detach().clone()));
        m_params.push_back(register_parameter(p + "bn_weight", torch::ones({options.filters})));
        m_params.push_back(register_parameter(p + "bn_bias", torch::zeros({options.filters})));
        m_runningMean.push_back(register_buffer(p + "bn_running_mean", torch::zeros({options.filters})));
        m_runningVar.push_back(register_buffer(p + "bn_running_var", torch::ones({options.filters})));
        in = options.filters;
    }
    const int side = featureSide(options.imageSize);
    torch::nn::Linear head(options.filters * side * side, options.ways);
    m_params.push_back(register_parameter("head_weight", head->weight.detach().clone()));
    m_params.push_back(register_parameter("head_bias", head->bias.detach().clone()));
}

std::vector<torch::Tensor> Conv4::metaParameters()
{
    // Read through the registry so that module.to(device/dtype) is reflected.
    std::vector<torch::Tensor> out;
    for (const auto& p : named_parameters(/*recurse=*/false))
        out.push_back(p.value());
    return out;
}

torch::Tensor Conv4::block(const torch::Tensor& x, const std::vector<torch::Tensor>& params, int b,
                           bool training)
{
    const auto* p = &params[b * kPerBlock];
    // Convolution, BatchNorm and max-pool written for second-order MAML (second_order_ops.h,
    // max_pool.h): the same values, faster double backwards, less kept for them.
    // Options().torchOperators switches each back to torch's own operator (the benchmark's
    // ablation).
    const bool torchConv = m_options.torchOperators.conv, torchBn = m_options.torchOperators.bn,
               torchPool = m_options.torchOperators.pool;
    constexpr double kEps = 1e-5;
    auto y = torchConv ? F::conv2d(x, p[0], F::Conv2dFuncOptions().bias(p[1]).padding(1))
                       : conv2dSecondOrder(x, p[0], p[1], /*padding=*/1);
    // Max-pool, then ReLU: the same values and gradients as ReLU then max-pool (both are
    // monotone, and a window whose maximum is <= 0 gives 0 and no gradient either way), but the
    // ReLU and its backward run on a quarter of the elements. The meta-gradient check in
    // bench/ compares against the reference's ReLU-then-pool order.
    if (m_options.batchStatistics && !torchBn && !torchPool)
        return torch::relu(batchNormMaxPoolSecondOrder(y, p[2], p[3], kEps));
    if (m_options.batchStatistics && !torchBn) {
        y = batchNormSecondOrder(y, p[2], p[3], kEps);
    } else {
        const bool useBatchStats = m_options.batchStatistics || training;
        torch::Tensor mean, var;
        if (!m_options.batchStatistics) {
            mean = m_runningMean[b];
            var = m_runningVar[b];
        }
        y = torch::batch_norm(y, p[2], p[3], mean, var, useBatchStats, /*momentum=*/0.1, kEps,
                              /*cudnn_enabled=*/false);
    }
    y = torchPool ? F::max_pool2d(y, F::MaxPool2dFuncOptions(2)) : maxPool2x2(y);
    return torch::relu(y);
}

torch::Tensor Conv4::forward(const torch::Tensor& x, const std::vector<torch::Tensor>& params, bool training)
{
    if (params.size() != kBlocks * kPerBlock + 2)
        throw Error("Conv-4 expects " + std::to_string(kBlocks * kPerBlock + 2) + " weight tensors, got " +
                        std::to_string(params.size()),
                    "Conv4::forward");
    auto y = x;
    for (int b = 0; b < kBlocks; ++b)
        y = block(y, params, b, training);
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
        if (m_options.batchStatistics)
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
            {"batch_norm", m_options.batchStatistics ? "batch" : "running"}};
}

} // namespace maml
