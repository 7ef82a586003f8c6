// Conv-4: shapes, functional forward = module forward, BatchNorm modes.
#include "core/engine/conv4.h"
#include "core/engine/model_factory.h"
#include "core/util/error.h"

#include <gtest/gtest.h>

namespace maml {
namespace {

TEST(Conv4, OutputShapesForCommonImageSizes)
{
    torch::manual_seed(0);
    for (auto [channels, size, side] :
         {std::tuple{1, 28, 1}, std::tuple{3, 32, 2}, std::tuple{3, 84, 5}, std::tuple{1, 16, 1}}) {
        Conv4 net(Conv4Options{channels, size, 8, 5, true});
        EXPECT_EQ(Conv4::featureSide(size), side);
        auto out = net.forward(torch::rand({3, channels, size, size}));
        EXPECT_EQ(out.sizes(), (std::vector<int64_t>{3, 5}));
        EXPECT_EQ(net.metaParameters().size(), 18u);
        EXPECT_EQ(net.metaParameters()[16].sizes(), (std::vector<int64_t>{5, 8 * side * side}));
    }
}

TEST(Conv4, TooSmallImagesAreRejected)
{
    EXPECT_THROW(Conv4(Conv4Options{1, 8, 4, 5, true}), Error);
}

TEST(Conv4, ExplicitWeightsAreUsed)
{
    torch::manual_seed(1);
    Conv4 net(Conv4Options{1, 16, 4, 3, true});
    auto x = torch::rand({4, 1, 16, 16});
    auto params = net.metaParameters();
    EXPECT_TRUE(torch::equal(net.forward(x), net.forward(x, params, true)));
    std::vector<torch::Tensor> shifted;
    for (const auto& p : params)
        shifted.push_back(p.detach() + 0.1);
    EXPECT_FALSE(torch::allclose(net.forward(x), net.forward(x, shifted, true)));
    // Gradients flow to the explicit weights.
    for (auto& s : shifted)
        s.requires_grad_(true);
    net.forward(x, shifted, true).sum().backward();
    EXPECT_TRUE(shifted[0].grad().defined());
    EXPECT_GT(shifted[0].grad().abs().sum().item<double>(), 0);
}

TEST(Conv4, BatchStatisticsModeIgnoresRunningStatistics)
{
    torch::manual_seed(2);
    Conv4 batch(Conv4Options{1, 16, 4, 3, true});
    auto x = torch::rand({6, 1, 16, 16});
    // In MAML's mode train- and test-time forwards are the same (batch statistics).
    EXPECT_TRUE(torch::equal(batch.forward(x, true), batch.forward(x, false)));

    torch::manual_seed(2);
    Conv4 running(Conv4Options{1, 16, 4, 3, false});
    running.forward(x, true); // updates the running statistics
    EXPECT_FALSE(torch::allclose(running.forward(x, true), running.forward(x, false)));
    const auto buffers = running.named_buffers();
    EXPECT_FALSE(torch::equal(buffers["block0_bn_running_mean"], torch::zeros({4})));
}

TEST(Conv4, FactoryBuildsFromConfig)
{
    ExperimentConfig c;
    c.channels = 3;
    c.imageSize = 32;
    c.filters = 32;
    c.ways = 5;
    auto m = makeModel(c);
    EXPECT_EQ(m->architecture()["filters"], 32);
    EXPECT_EQ(m->forward(torch::rand({2, 3, 32, 32})).sizes(), (std::vector<int64_t>{2, 5}));
    c.model = "no-such-model";
    EXPECT_THROW(makeModel(c), Error);
}

} // namespace
} // namespace maml
