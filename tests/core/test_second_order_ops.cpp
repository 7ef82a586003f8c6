// conv2dSecondOrder and batchNormSecondOrder (Conv-4's operators for second-order MAML)
// against torch's conv2d and batch_norm: values, first, second and third derivatives, an input
// that needs no gradient (the first block's images), and the fallback for other dtypes.
#include "core/engine/conv4.h"
#include "core/engine/second_order_ops.h"
#include "core/util/error.h"

#include <gtest/gtest.h>

#include <functional>

namespace {

using Op = std::function<torch::Tensor(const std::vector<torch::Tensor>&)>;

/// Everything a MAML step differentiates: the output, the gradients of <y, gy> (with a graph),
/// the gradients of <grads, random directions> with respect to the inputs and gy (the double
/// backward), and one more order: the gradient of <double-backward result, direction>.
std::vector<torch::Tensor> derivatives(const Op& op, const std::vector<torch::Tensor>& data, bool thirdOrder)
{
    torch::manual_seed(11);
    std::vector<torch::Tensor> inputs;
    for (const auto& d : data)
        inputs.push_back(d.clone().requires_grad_(d.requires_grad()));
    auto y = op(inputs);
    auto gy = torch::randn(y.sizes(), y.options()).requires_grad_();
    std::vector<torch::Tensor> wrt;
    for (const auto& t : inputs)
        if (t.requires_grad())
            wrt.push_back(t);
    auto g1 = torch::autograd::grad({y}, wrt, {gy}, /*retain_graph=*/true, /*create_graph=*/true);
    auto projection = torch::zeros({}, y.options());
    for (const auto& g : g1)
        projection = projection + (g * torch::randn(g.sizes(), g.options())).sum();
    auto wrt2 = wrt;
    wrt2.push_back(gy);
    auto g2 =
        torch::autograd::grad({projection}, wrt2, {}, /*retain_graph=*/true, /*create_graph=*/thirdOrder,
                              /*allow_unused=*/true);
    std::vector<torch::Tensor> out{y.detach()};
    for (const auto& g : g1)
        out.push_back(g.detach());
    // An input the double backward does not reach (e.g. a BatchNorm bias) counts as zero.
    for (size_t i = 0; i < g2.size(); ++i)
        out.push_back(g2[i].defined() ? g2[i].detach() : torch::zeros_like(wrt2[i]).detach());
    if (thirdOrder) {
        auto p3 = torch::zeros({}, y.options());
        for (const auto& g : g2)
            if (g.defined() && g.requires_grad())
                p3 = p3 + (g * torch::randn(g.sizes(), g.options())).pow(2).sum();
        const auto g3 = torch::autograd::grad({p3}, wrt, {}, false, false, /*allow_unused=*/true);
        for (size_t i = 0; i < g3.size(); ++i)
            out.push_back(g3[i].defined() ? g3[i] : torch::zeros_like(wrt[i]).detach());
    }
    return out;
}

void expectClose(const std::vector<torch::Tensor>& ours, const std::vector<torch::Tensor>& torchs)
{
    ASSERT_EQ(ours.size(), torchs.size());
    for (size_t i = 0; i < ours.size(); ++i) {
        ASSERT_EQ(ours[i].defined(), torchs[i].defined()) << "result " << i;
        if (!ours[i].defined())
            continue;
        ASSERT_EQ(ours[i].sizes(), torchs[i].sizes()) << "result " << i;
        const double scale = torchs[i].abs().max().item<double>() + 1e-6;
        const double diff = (ours[i] - torchs[i]).abs().max().item<double>();
        EXPECT_LT(diff / scale, 2e-4)
            << "result " << i << ": max difference " << diff << " at scale " << scale;
    }
}

torch::Tensor torchConv(const std::vector<torch::Tensor>& t)
{
    return torch::conv2d(t[0], t[1], t[2], 1, 1);
}

torch::Tensor ourConv(const std::vector<torch::Tensor>& t)
{
    return maml::conv2dSecondOrder(t[0], t[1], t[2], 1);
}

torch::Tensor torchBn(const std::vector<torch::Tensor>& t)
{
    return torch::batch_norm(t[0], t[1], t[2], {}, {}, true, 0.0, 1e-5, false);
}

/// BatchNorm from elementary operations: autograd differentiates it exactly to any order.
/// (torch's batch_norm does not at third order: its double backward treats the saved mean and
/// invstd as constants, so its third derivative with respect to the input is off.)
torch::Tensor elementaryBn(const std::vector<torch::Tensor>& t)
{
    const std::vector<int64_t> dims{0, 2, 3};
    const auto mean = t[0].mean(dims, true);
    const auto var = (t[0] - mean).pow(2).mean(dims, true);
    return (t[0] - mean) * (var + 1e-5).rsqrt() * t[1].view({1, -1, 1, 1}) + t[2].view({1, -1, 1, 1});
}

torch::Tensor ourBn(const std::vector<torch::Tensor>& t)
{
    return maml::batchNormSecondOrder(t[0], t[1], t[2], 1e-5);
}

std::vector<torch::Tensor> convData(bool inputNeedsGrad)
{
    torch::manual_seed(5);
    return {torch::randn({4, 3, 9, 7}).requires_grad_(inputNeedsGrad),
            (torch::randn({6, 3, 3, 3}) * 0.3).requires_grad_(), torch::randn({6}).requires_grad_()};
}

std::vector<torch::Tensor> bnData()
{
    torch::manual_seed(6);
    return {(torch::randn({5, 4, 6, 6}) * 3 + 1).requires_grad_(), (torch::randn({4}) + 1).requires_grad_(),
            torch::randn({4}).requires_grad_()};
}

} // namespace

TEST(SecondOrderOps, ConvolutionMatchesTorchToSecondOrder)
{
    const auto data = convData(true);
    expectClose(derivatives(ourConv, data, false), derivatives(torchConv, data, false));
}

TEST(SecondOrderOps, ConvolutionWhoseInputNeedsNoGradient)
{
    // The first Conv-4 block sees the images, which need no gradient: the first backward then
    // has no input gradient, and the double backward must still be right for gy and the weights.
    const auto data = convData(false);
    expectClose(derivatives(ourConv, data, false), derivatives(torchConv, data, false));
}

TEST(SecondOrderOps, ConvolutionThirdOrderStillWorks)
{
    const auto data = convData(true);
    expectClose(derivatives(ourConv, data, true), derivatives(torchConv, data, true));
}

TEST(SecondOrderOps, BatchNormMatchesTorchToSecondOrder)
{
    const auto data = bnData();
    expectClose(derivatives(ourBn, data, false), derivatives(torchBn, data, false));
}

TEST(SecondOrderOps, BatchNormElementaryReferenceAgreesWithTorchToSecondOrder)
{
    const auto data = bnData();
    expectClose(derivatives(elementaryBn, data, false), derivatives(torchBn, data, false));
}

TEST(SecondOrderOps, BatchNormThirdOrderStillWorks)
{
    const auto data = bnData();
    expectClose(derivatives(ourBn, data, true), derivatives(elementaryBn, data, true));
}

TEST(SecondOrderOps, BatchNormWithOnlySomeIncomingGradients)
{
    // MAML differentiates gx, dgamma and dbeta, but a loss may use only some of them: the double
    // backward then gets undefined incoming gradients, which count as zero.
    const auto data = bnData();
    for (int used = 0; used < 3; ++used) {
        const auto grads = [&](const Op& op) {
            std::vector<torch::Tensor> in;
            for (const auto& d : data)
                in.push_back(d.detach().clone().requires_grad_());
            auto y = op(in);
            torch::manual_seed(2);
            auto gy = torch::randn(y.sizes()).requires_grad_();
            auto g1 = torch::autograd::grad({y}, in, {gy}, true, true);
            auto target = (g1[used] * torch::randn(g1[used].sizes())).sum();
            auto g2 = torch::autograd::grad({target}, {in[0], in[1], gy}, {}, false, false, true);
            const std::vector<torch::Tensor> like{in[0], in[1], gy};
            for (size_t i = 0; i < g2.size(); ++i)
                if (!g2[i].defined())
                    g2[i] = torch::zeros_like(like[i]);
            return g2;
        };
        SCOPED_TRACE("only gradient " + std::to_string(used) + " is used");
        expectClose(grads(ourBn), grads(torchBn));
    }
}

TEST(SecondOrderOps, OtherDtypesAndNoGradGoToTorch)
{
    torch::manual_seed(7);
    auto x = torch::randn({2, 3, 5, 5}, torch::kFloat64);
    auto w = torch::randn({4, 3, 3, 3}, torch::kFloat64), b = torch::randn({4}, torch::kFloat64);
    EXPECT_TRUE(torch::equal(maml::conv2dSecondOrder(x, w, b, 1), torch::conv2d(x, w, b, 1, 1)));
    auto g = torch::randn({3}, torch::kFloat64), beta = torch::randn({3}, torch::kFloat64);
    EXPECT_TRUE(torch::equal(maml::batchNormSecondOrder(x, g, beta, 1e-5),
                             torch::batch_norm(x, g, beta, {}, {}, true, 0.0, 1e-5, false)));
    // Float32 without any gradient: the value is torch's own.
    auto xf = x.to(torch::kFloat32), wf = w.to(torch::kFloat32), bf = b.to(torch::kFloat32);
    EXPECT_TRUE(torch::equal(maml::conv2dSecondOrder(xf, wf, bf, 1), torch::conv2d(xf, wf, bf, 1, 1)));
}

TEST(SecondOrderOps, TorchOperatorSwitchIsOffByDefault)
{
    // Conv-4's default options use the fast operators; only the benchmark's ablation asks for
    // torch's own.
    const maml::TorchOperators defaults = maml::Conv4Options{}.torchOperators;
    EXPECT_FALSE(defaults.conv);
    EXPECT_FALSE(defaults.bn);
    EXPECT_FALSE(defaults.pool);
    const auto all = maml::TorchOperators::parse("all");
    EXPECT_TRUE(all.conv && all.bn && all.pool);
    EXPECT_THROW(maml::TorchOperators::parse("conv,fft"), maml::Error);
}

namespace {
torch::Tensor torchBnPool(const std::vector<torch::Tensor>& t)
{
    return torch::max_pool2d(torchBn(t), {2, 2}, {2, 2});
}

torch::Tensor elementaryBnPool(const std::vector<torch::Tensor>& t)
{
    return torch::max_pool2d(elementaryBn(t), {2, 2}, {2, 2});
}

torch::Tensor ourBnPool(const std::vector<torch::Tensor>& t)
{
    return maml::batchNormMaxPoolSecondOrder(t[0], t[1], t[2], 1e-5);
}
} // namespace

TEST(SecondOrderOps, BatchNormMaxPoolMatchesTorchToSecondOrder)
{
    const auto data = bnData();
    expectClose(derivatives(ourBnPool, data, false), derivatives(torchBnPool, data, false));
    // Odd sizes: the pool drops the last row and column, which still get BatchNorm gradients.
    torch::manual_seed(8);
    const std::vector<torch::Tensor> odd{(torch::randn({3, 2, 7, 5}) * 2).requires_grad_(),
                                         (torch::randn({2}) + 1).requires_grad_(),
                                         torch::randn({2}).requires_grad_()};
    expectClose(derivatives(ourBnPool, odd, false), derivatives(torchBnPool, odd, false));
}

TEST(SecondOrderOps, BatchNormMaxPoolThirdOrderStillWorks)
{
    const auto data = bnData();
    expectClose(derivatives(ourBnPool, data, true), derivatives(elementaryBnPool, data, true));
}

TEST(SecondOrderOps, BatchNormMaxPoolWithoutGradientIsTheSameValue)
{
    const auto data = bnData();
    torch::NoGradGuard noGrad;
    const auto ours = maml::batchNormMaxPoolSecondOrder(data[0], data[1], data[2], 1e-5);
    EXPECT_TRUE(torch::equal(ours, torchBnPool(data)));
}
