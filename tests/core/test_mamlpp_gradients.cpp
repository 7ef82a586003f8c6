// Meta-gradients of the MAML++ parts: LSLR, per-step BatchNorm and the multi-step loss against
// central finite differences; first-order LSLR against its formula; the inner steps recomputed
// in the backward pass (checkpoint_inner_steps) against the normal path.
#include "core/engine/conv4.h"
#include "core/engine/meta_learner.h"
#include "finite_difference.h"

#include <gtest/gtest.h>

namespace maml {
namespace {

namespace F = torch::nn::functional;

struct Parts {
    bool lslr = false, perStepBn = false;
    std::vector<double> stepLossWeights; ///< empty: the last step only
};

/// A tiny double-precision Conv-4 (16x16, 2 filters, 2-way) with the MAML++ parts of `parts`,
/// its learning rates and per-step BN weights moved away from their uniform start (so that a
/// wrong row, step or sign shows), and a fixed episode.
struct TinyMamlpp {
    std::shared_ptr<Conv4> model;
    Episode episode;
    int steps;
    Parts parts;

    TinyMamlpp(uint64_t seed, int steps_, Parts p) : steps(steps_), parts(std::move(p))
    {
        torch::manual_seed(seed);
        Conv4Options o{1, 16, 2, 2, true};
        o.perStepBatchNorm = parts.perStepBn ? steps : 0;
        model = std::make_shared<Conv4>(o);
        if (parts.lslr)
            model->enableInnerLearningRates(steps, 0.1);
        model->to(torch::kDouble);
        {
            torch::NoGradGuard noGrad;
            if (parts.lslr)
                model->innerLearningRates().mul_(0.5 + torch::rand_like(model->innerLearningRates()));
            if (parts.perStepBn)
                for (int b = 0; b < 4; ++b) {
                    model->weights()[4 * b + 2].add_(0.3 * torch::randn_like(model->weights()[4 * b + 2]));
                    model->weights()[4 * b + 3].add_(0.3 * torch::randn_like(model->weights()[4 * b + 3]));
                }
        }
        episode.supportX = torch::rand({4, 1, 16, 16}, torch::kDouble);
        episode.supportY = torch::tensor({0, 0, 1, 1}, torch::kInt64);
        episode.queryX = torch::rand({4, 1, 16, 16}, torch::kDouble);
        episode.queryY = torch::tensor({0, 1, 0, 1}, torch::kInt64);
        episode.classes = {0, 1};
    }

    MetaLearnerOptions options(bool firstOrder = false, bool checkpointed = false) const
    {
        MetaLearnerOptions o;
        o.innerSteps = steps;
        o.innerLr = 0.1;
        o.firstOrder = firstOrder;
        o.stepLossWeights = parts.stepLossWeights;
        o.checkpointInnerSteps = checkpointed;
        o.batchStatistics = !parts.perStepBn;
        return o;
    }

    double weight(int k) const
    {
        if (parts.stepLossWeights.empty())
            return k == steps - 1 ? 1.0 : 0.0;
        return parts.stepLossWeights[k];
    }

    /// The meta-objective at `meta` (metaParameters() layout), without any graph kept.
    double objective(InnerLoop& learner, const std::vector<torch::Tensor>& meta)
    {
        auto fast = learner.startingPoint(meta);
        double total = 0;
        for (int k = 0; k < steps; ++k) {
            fast = learner.innerStep(fast, episode.supportX, episode.supportY, k, false, false);
            if (weight(k) == 0)
                continue;
            torch::NoGradGuard noGrad;
            total += weight(k) *
                     F::cross_entropy(learner.logits(episode.queryX, fast, true, {k, false}), episode.queryY)
                         .item<double>();
        }
        return total;
    }

    std::vector<torch::Tensor> metaGradient(MetaLearner& learner)
    {
        learner.computeMetaGradient({episode});
        return test::gradsOf(model->metaParameters());
    }
};

/// Compares `grads` with central differences of the objective on a sample of every tensor (all
/// elements of tensors with at most `allUpTo` elements). Returns the number of elements checked.
int checkAgainstFiniteDifferences(TinyMamlpp& prob, MetaLearner& learner,
                                  const std::vector<torch::Tensor>& grads, int64_t allUpTo)
{
    const auto params = prob.model->metaParameters();
    int checked = 0, kinks = 0;
    for (size_t t = 0; t < params.size(); ++t) {
        const int64_t n = params[t].numel();
        const int64_t stride = n <= allUpTo ? 1 : std::max<int64_t>(1, n / 5);
        for (int64_t i = 0; i < n; i += stride) {
            auto fdAt = [&](double h) {
                return test::centralDifference(params, t, i, h,
                                               [&](const auto& w) { return prob.objective(learner, w); });
            };
            const double fd = fdAt(1e-6), fdHalf = fdAt(5e-7);
            // ReLU and max-pool kinks: where two step sizes disagree the difference says nothing.
            if (std::abs(fd - fdHalf) > 1e-4 * (1 + std::abs(fd))) {
                ++kinks;
                continue;
            }
            const double an = grads[t].view(-1)[i].item<double>();
            const double err = std::abs(fd - an) / std::max(1e-4, std::abs(fd) + std::abs(an));
            EXPECT_LT(err, 1e-4) << "tensor " << t << " element " << i << ": analytic " << an
                                 << " vs finite difference " << fd;
            ++checked;
        }
    }
    EXPECT_LE(kinks, 4);
    return checked;
}

TEST(MamlppGradients, LslrMatchesFiniteDifferences)
{
    TinyMamlpp prob(21, 2, {true, false, {}});
    MetaLearner learner(prob.model, prob.options());
    const auto grads = prob.metaGradient(learner);
    ASSERT_EQ(grads.size(), 19u) << "18 weights and the learning rates";
    EXPECT_EQ(grads.back().sizes(), torch::IntArrayRef({18, 2}));
    EXPECT_GT(grads.back().abs().sum().item<double>(), 0);
    EXPECT_GE(checkAgainstFiniteDifferences(prob, learner, grads, 36), 80);
}

TEST(MamlppGradients, PerStepBatchNormMatchesFiniteDifferences)
{
    TinyMamlpp prob(22, 2, {false, true, {}});
    MetaLearner learner(prob.model, prob.options());
    const auto grads = prob.metaGradient(learner);
    ASSERT_EQ(grads.size(), 18u);
    // Both steps' BN weights get a gradient: step 0 through the first support forward.
    EXPECT_GT(grads[2][0].abs().sum().item<double>(), 0);
    EXPECT_GT(grads[2][1].abs().sum().item<double>(), 0);
    EXPECT_GE(checkAgainstFiniteDifferences(prob, learner, grads, 4), 50);
}

TEST(MamlppGradients, MultiStepLossWithEveryPartMatchesFiniteDifferences)
{
    TinyMamlpp prob(23, 3, {true, true, {0.2, 0.3, 0.5}});
    MetaLearner learner(prob.model, prob.options());
    const auto grads = prob.metaGradient(learner);
    EXPECT_GE(checkAgainstFiniteDifferences(prob, learner, grads, 30), 60);
}

TEST(MamlppGradients, FirstOrderLslrFollowsItsFormula)
{
    // One first-order step: fast = w - lr * g(w) with g a constant, so dL/dw = dL/dfast and
    // dL/dlr[row] = -<g(w), dL/dfast> for each adapted tensor.
    TinyMamlpp prob(24, 1, {true, false, {}});
    MetaLearner learner(prob.model, prob.options(/*firstOrder=*/true));
    const auto grads = prob.metaGradient(learner);
    auto w = prob.model->weights();
    std::vector<torch::Tensor> start;
    for (auto& t : w)
        start.push_back(t.detach().clone().requires_grad_(true));
    auto supportLoss =
        F::cross_entropy(prob.model->forward(prob.episode.supportX, start, true), prob.episode.supportY);
    const auto g = torch::autograd::grad({supportLoss}, start);
    const auto lrs = prob.model->innerLearningRates().detach();
    std::vector<torch::Tensor> fast;
    for (size_t i = 0; i < start.size(); ++i)
        fast.push_back((start[i] - lrs[i][0] * g[i]).detach().requires_grad_(true));
    auto queryLoss =
        F::cross_entropy(prob.model->forward(prob.episode.queryX, fast, true), prob.episode.queryY);
    const auto dFast = torch::autograd::grad({queryLoss}, fast);
    for (size_t i = 0; i < fast.size(); ++i) {
        EXPECT_TRUE(torch::allclose(grads[i], dFast[i], 1e-9, 1e-12)) << "weight " << i;
        const double expected = -(g[i] * dFast[i]).sum().item<double>();
        EXPECT_NEAR(grads.back()[i][0].item<double>(), expected, 1e-9 * (1 + std::abs(expected)))
            << "rate " << i;
    }
}

/// The normal path and the recomputed one on the same problem: gradients, loss and the
/// per-step running statistics they leave.
void expectSameAsNormalPath(uint64_t seed, int steps, const Parts& parts)
{
    TinyMamlpp a(seed, steps, parts), b(seed, steps, parts);
    MetaLearner normal(a.model, a.options()), recomputed(b.model, b.options(false, /*checkpointed=*/true));
    const auto ra = normal.computeMetaGradient({a.episode});
    const auto rb = recomputed.computeMetaGradient({b.episode});
    EXPECT_NEAR(ra.loss, rb.loss, 1e-12);
    EXPECT_EQ(ra.accuracy, rb.accuracy);
    const auto pa = a.model->metaParameters(), pb = b.model->metaParameters();
    ASSERT_EQ(pa.size(), pb.size());
    for (size_t i = 0; i < pa.size(); ++i) {
        const double scale = pa[i].grad().abs().max().item<double>();
        EXPECT_GT(scale, 0) << "tensor " << i;
        EXPECT_LT((pa[i].grad() - pb[i].grad()).abs().max().item<double>(), 1e-10 * (1 + scale))
            << "tensor " << i;
    }
    const auto ba = a.model->buffers(), bb = b.model->buffers();
    for (size_t i = 0; i < ba.size(); ++i)
        EXPECT_TRUE(torch::allclose(ba[i], bb[i], 1e-12, 1e-14)) << "buffer " << i;
}

TEST(MamlppGradients, RecomputedInnerStepsGiveTheSameMetaGradient)
{
    expectSameAsNormalPath(31, 3, {});
    expectSameAsNormalPath(32, 3, {true, true, {0.1, 0.2, 0.7}});
    expectSameAsNormalPath(33, 4, {true, false, {}});
}

TEST(MamlppGradients, RecomputingDoesNotApplyToFirstOrder)
{
    TinyMamlpp a(34, 2, {true, false, {}}), b(34, 2, {true, false, {}});
    MetaLearner plain(a.model, a.options(true)), recomputed(b.model, b.options(true, true));
    const auto ga = a.metaGradient(plain), gb = b.metaGradient(recomputed);
    for (size_t i = 0; i < ga.size(); ++i)
        EXPECT_TRUE(torch::equal(ga[i], gb[i])) << "tensor " << i;
}

} // namespace
} // namespace maml
