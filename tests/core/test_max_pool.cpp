// maxPool2x2 (Conv-4's pooling for second-order MAML) against torch's max_pool2d: values,
// first and second derivatives, ties, odd sizes, NaN, and the fallback for other dtypes.
#include "core/engine/max_pool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

namespace F = torch::nn::functional;

torch::Tensor torchPool(const torch::Tensor& x)
{
    return F::max_pool2d(x, F::MaxPool2dFuncOptions(2));
}

/// Value, gradient and a second-order gradient (through create_graph) of
/// sum(w * relu(pool(x))^2) for both poolings, compared exactly.
void expectSameAsTorch(const torch::Tensor& data)
{
    torch::manual_seed(3);
    auto w = torch::randn({data.size(0), data.size(1), data.size(2) / 2, data.size(3) / 2});
    auto v = torch::randn(data.sizes());
    std::vector<torch::Tensor> results[2];
    for (int which = 0; which < 2; ++which) {
        auto x = data.clone().requires_grad_();
        auto y = which ? maml::maxPool2x2(x) : torchPool(x);
        auto loss = (w * torch::relu(y).pow(2)).sum();
        auto g = torch::autograd::grad({loss}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
        auto gg = torch::autograd::grad({(g * v).sum()}, {x})[0];
        results[which] = {y.detach(), g.detach(), gg};
    }
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(results[0][i].sizes(), results[1][i].sizes()) << "output " << i;
        EXPECT_TRUE(torch::equal(results[0][i], results[1][i])) << "output " << i << " differs";
    }
}

} // namespace

TEST(MaxPool2x2, EqualsTorchOnRandomData)
{
    torch::manual_seed(1);
    expectSameAsTorch(torch::randn({3, 4, 8, 8}));
}

TEST(MaxPool2x2, EqualsTorchWithTiesAndOddSizes)
{
    torch::manual_seed(2);
    // Rounded values: many windows hold the maximum twice or more (constant image regions
    // do this in real data); the first one in row-major order must win as in torch.
    expectSameAsTorch(torch::randn({2, 3, 8, 8}).round());
    expectSameAsTorch(torch::randn({2, 3, 7, 5}).round());
    expectSameAsTorch(torch::zeros({1, 2, 4, 4}));
}

TEST(MaxPool2x2, NaNWinsItsWindowLikeTorch)
{
    auto x = torch::arange(16, torch::kFloat32).reshape({1, 1, 4, 4});
    x[0][0][1][0] = std::numeric_limits<float>::quiet_NaN();
    auto ours = maml::maxPool2x2(x);
    EXPECT_TRUE(std::isnan(ours[0][0][0][0].item<float>()));
    EXPECT_TRUE(torch::equal(ours.narrow(3, 1, 1), torchPool(x).narrow(3, 1, 1)));
}

TEST(MaxPool2x2, OtherDtypesUseTorch)
{
    auto x = torch::randn({2, 2, 6, 6}, torch::kFloat64).requires_grad_();
    auto y = maml::maxPool2x2(x);
    EXPECT_EQ(y.scalar_type(), torch::kFloat64);
    EXPECT_TRUE(torch::equal(y, torchPool(x)));
}
