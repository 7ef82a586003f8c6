#include "core/text/transformer.h"
#include "core/util/error.h"

#include <gtest/gtest.h>

namespace {

maml::TransformerOptions smallOptions(const std::string& head)
{
    maml::TransformerOptions o;
    o.vocabSize = 30;
    o.length = 10;
    o.ways = 3;
    o.dModel = 16;
    o.heads = 4;
    o.layers = 2;
    o.ff = 24;
    o.head = head;
    return o;
}

torch::Tensor sampleIds()
{
    // Sentences of different lengths; [PAD]=0 at the end of each row.
    return torch::tensor(
        {{5, 7, 9, 2, 0, 0, 0, 0, 0, 0}, {3, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {8, 8, 4, 6, 11, 29, 1, 0, 0, 0}},
        torch::kInt64);
}

} // namespace

// The functional encoder equals torch::nn::TransformerEncoderLayer (post-norm, ReLU, no
// dropout) with the same weights, on every real (non-padding) position.
TEST(TextTransformer, FunctionalEncoderEqualsTorchModules)
{
    torch::manual_seed(3);
    maml::TransformerEncoder model(smallOptions("mean"));
    auto params = model.metaParameters();
    auto ids = sampleIds();
    auto [h, mask] = model.encode(ids, params);
    ASSERT_EQ(h.size(1), 7); // cut to the longest sentence

    torch::NoGradGuard noGrad;
    auto x =
        torch::embedding(params[0], ids.narrow(1, 0, 7)) + model.named_buffers()["positions"].narrow(0, 0, 7);
    for (int l = 0; l < 2; ++l) {
        torch::nn::TransformerEncoderLayer ref(
            torch::nn::TransformerEncoderLayerOptions(16, 4).dim_feedforward(24).dropout(0.0));
        ref->eval();
        const torch::Tensor* p = &params[1 + l * maml::TransformerEncoder::kLayerTensors];
        ref->self_attn->in_proj_weight.copy_(p[0]);
        ref->self_attn->in_proj_bias.copy_(p[1]);
        ref->self_attn->out_proj->weight.copy_(p[2]);
        ref->self_attn->out_proj->bias.copy_(p[3]);
        ref->linear1->weight.copy_(p[4]);
        ref->linear1->bias.copy_(p[5]);
        ref->linear2->weight.copy_(p[6]);
        ref->linear2->bias.copy_(p[7]);
        ref->norm1->weight.copy_(p[8]);
        ref->norm1->bias.copy_(p[9]);
        ref->norm2->weight.copy_(p[10]);
        ref->norm2->bias.copy_(p[11]);
        // torch's layer takes [L, n, d] and a key padding mask that is true at padding.
        x = ref->forward(x.transpose(0, 1), {}, mask.logical_not()).transpose(0, 1);
    }
    auto m = mask.unsqueeze(-1);
    EXPECT_TRUE(torch::allclose(h.detach() * m, x * m, 1e-4, 1e-5))
        << "max difference " << ((h.detach() - x) * m).abs().max().item<float>();
}

// Cutting a batch to its longest sentence changes nothing: the same sentence alone, in a batch
// with a longer one, or padded to the full length gives the same logits (both heads).
TEST(TextTransformer, PaddingAndBatchCuttingDoNotChangeLogits)
{
    for (const std::string head : {"mean", "flatten"}) {
        torch::manual_seed(5);
        maml::TransformerEncoder model(smallOptions(head));
        torch::NoGradGuard noGrad;
        auto ids = sampleIds();
        auto all = model.forward(ids, false);
        ASSERT_EQ(all.sizes(), (std::vector<int64_t>{3, 3}));
        auto alone = model.forward(ids.narrow(0, 1, 1), false);
        EXPECT_TRUE(torch::allclose(all[1], alone[0], 1e-4, 1e-5)) << head;
        auto shorter = model.forward(ids.narrow(0, 0, 2).narrow(1, 0, 4), false);
        EXPECT_TRUE(torch::allclose(all.narrow(0, 0, 2), shorter, 1e-4, 1e-5)) << head;
    }
}

// MAML needs second-order gradients: the meta-gradient through one inner SGD step reaches
// every parameter, and it differs from the first-order one.
TEST(TextTransformer, SecondOrderGradientsFlowThroughInnerStep)
{
    for (const std::string head : {"mean", "flatten"}) {
        torch::manual_seed(7);
        maml::TransformerEncoder model(smallOptions(head));
        auto params = model.metaParameters();
        auto ids = sampleIds();
        auto y = torch::tensor({0, 1, 2}, torch::kInt64);
        auto loss = torch::nn::functional::cross_entropy(model.forward(ids, params, true), y);
        auto grads = torch::autograd::grad({loss}, params, {}, /*retain_graph=*/true, /*create_graph=*/true);
        std::vector<torch::Tensor> fast;
        for (size_t i = 0; i < params.size(); ++i)
            fast.push_back(params[i] - 0.5 * grads[i]);
        auto outer = torch::nn::functional::cross_entropy(model.forward(ids.flip(0), fast, true), y);
        auto meta = torch::autograd::grad({outer}, params, {}, /*retain_graph=*/true);
        std::vector<torch::Tensor> detachedFast;
        for (const auto& f : fast)
            detachedFast.push_back(f.detach().requires_grad_(true));
        auto firstOrderLoss =
            torch::nn::functional::cross_entropy(model.forward(ids.flip(0), detachedFast, true), y);
        auto firstOrder = torch::autograd::grad({firstOrderLoss}, detachedFast);
        double secondOrderPart = 0;
        for (size_t i = 0; i < params.size(); ++i) {
            ASSERT_TRUE(meta[i].defined()) << head << " param " << i;
            EXPECT_TRUE(torch::isfinite(meta[i]).all().item<bool>());
            secondOrderPart += (meta[i] - firstOrder[i]).abs().sum().item<double>();
        }
        EXPECT_GT(meta[0].abs().sum().item<double>(), 0.0) << "no gradient reached the embedding";
        EXPECT_GT(secondOrderPart, 1e-6) << head << ": meta-gradient equals the first-order one";
    }
}

TEST(TextTransformer, BadInputAndSettingsGiveErrors)
{
    maml::TransformerEncoder model(smallOptions("mean"));
    EXPECT_THROW(model.forward(torch::zeros({2, 11}, torch::kInt64), false), maml::Error);
    EXPECT_THROW(model.forward(torch::zeros({2, 4}), false), maml::Error);
    maml::ExperimentConfig c;
    c.ways = 2;
    c.extra = {{"dModel", 30}, {"heads", 4}};
    EXPECT_THROW(maml::TransformerOptions::fromConfig(c, 10), maml::Error);
    c.extra = {{"head", "cls"}};
    EXPECT_THROW(maml::TransformerOptions::fromConfig(c, 10), maml::Error);
    c.extra = {{"layers", 3}, {"head", "flatten"}};
    auto o = maml::TransformerOptions::fromConfig(c, 10);
    EXPECT_EQ(o.layers, 3);
    EXPECT_EQ(o.dModel, 256);
    EXPECT_EQ(o.length, 128);
}
