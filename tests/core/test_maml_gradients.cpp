// Meta-gradients of MAML: second order against finite differences, first order against the
// second-order formula with the Hessian term dropped.
#include "core/engine/conv4.h"
#include "core/engine/meta_learner.h"
#include "core/util/error.h"
#include "finite_difference.h"

#include <gtest/gtest.h>

#include <limits>

namespace maml {
namespace {

/// A tiny double-precision Conv-4 (16x16 input, 2 filters, 2-way) and a fixed random episode.
struct TinyProblem {
    std::shared_ptr<Conv4> model;
    Episode episode;

    explicit TinyProblem(uint64_t seed)
    {
        torch::manual_seed(seed);
        model = std::make_shared<Conv4>(Conv4Options{1, 16, 2, 2, true});
        model->to(torch::kDouble);
        episode.supportX = torch::rand({4, 1, 16, 16}, torch::kDouble);
        episode.supportY = torch::tensor({0, 0, 1, 1}, torch::kInt64);
        episode.queryX = torch::rand({4, 1, 16, 16}, torch::kDouble);
        episode.queryY = torch::tensor({0, 1, 0, 1}, torch::kInt64);
        episode.classes = {0, 1};
    }

    MetaLearnerOptions options(bool firstOrder, int steps) const
    {
        MetaLearnerOptions o;
        o.innerSteps = steps;
        o.innerLr = 0.1;
        o.firstOrder = firstOrder;
        return o;
    }

    /// The MAML objective: query loss after `steps` inner steps from `params`.
    double objective(MetaLearner& learner, std::vector<torch::Tensor> params, int steps)
    {
        for (auto& p : params)
            p = p.detach().requires_grad_(true);
        auto fast = learner.adapt(params, episode.supportX, episode.supportY, steps, false);
        torch::NoGradGuard g;
        auto logits = model->forward(episode.queryX, fast, true);
        return torch::nn::functional::cross_entropy(logits, episode.queryY).item<double>();
    }

    std::vector<torch::Tensor> metaGradient(MetaLearner& learner)
    {
        learner.computeMetaGradient({episode});
        return test::gradsOf(model->metaParameters());
    }
};

TEST(MamlGradients, SecondOrderMatchesFiniteDifferences)
{
    for (int steps : {1, 2}) {
        TinyProblem prob(11 + steps);
        MetaLearner learner(prob.model, prob.options(false, steps));
        const auto grads = prob.metaGradient(learner);
        const auto params = prob.model->metaParameters();
        const double eps = 1e-6;
        int checked = 0, kinks = 0;
        double worst = 0;
        for (size_t t = 0; t < params.size(); ++t) {
            auto flat = params[t].detach().view(-1);
            const int64_t n = flat.numel();
            for (int64_t i = 0; i < n; i += std::max<int64_t>(1, n / 6)) {
                auto fdAt = [&](double h) {
                    return test::centralDifference(
                        params, t, i, h, [&](const auto& w) { return prob.objective(learner, w, steps); });
                };
                const double fd = fdAt(eps), fdHalf = fdAt(eps / 2);
                // ReLU and max-pool make the objective piecewise smooth: where the two step sizes
                // disagree, the difference straddles a kink and says nothing about the gradient.
                if (std::abs(fd - fdHalf) > 1e-4 * (1 + std::abs(fd))) {
                    ++kinks;
                    continue;
                }
                const double an = grads[t].view(-1)[i].item<double>();
                const double err = std::abs(fd - an) / std::max(1e-4, std::abs(fd) + std::abs(an));
                worst = std::max(worst, err);
                EXPECT_LT(err, 1e-4) << "steps " << steps << " tensor " << t << " element " << i
                                     << ": analytic " << an << " vs finite difference " << fd;
                ++checked;
            }
        }
        EXPECT_GE(checked, 45);
        EXPECT_LE(kinks, 3);
    }
}

TEST(MamlGradients, FirstOrderIsTheQueryGradientAtTheAdaptedWeights)
{
    for (int steps : {1, 3}) {
        TinyProblem prob(3 + steps);
        MetaLearner fo(prob.model, prob.options(true, steps));
        const auto foGrads = prob.metaGradient(fo);

        // The same meta-gradient with the second-order term dropped, computed by hand: treat the
        // adapted weights as independent leaves and differentiate the query loss at them.
        std::vector<torch::Tensor> start;
        for (auto& p : prob.model->metaParameters())
            start.push_back(p.detach().clone().requires_grad_(true));
        auto fast = fo.adapt(start, prob.episode.supportX, prob.episode.supportY, steps, false);
        for (auto& f : fast)
            f = f.detach().requires_grad_(true);
        auto loss = torch::nn::functional::cross_entropy(prob.model->forward(prob.episode.queryX, fast, true),
                                                         prob.episode.queryY);
        const auto expected = torch::autograd::grad({loss}, fast);

        MetaLearner so(prob.model, prob.options(false, steps));
        const auto soGrads = prob.metaGradient(so);
        double soDiff = 0;
        for (size_t t = 0; t < expected.size(); ++t) {
            EXPECT_TRUE(torch::allclose(foGrads[t], expected[t], 1e-10, 1e-12)) << "tensor " << t;
            soDiff = std::max(soDiff, (soGrads[t] - foGrads[t]).abs().max().item<double>());
        }
        // The dropped term is not zero here, so the test tells the two modes apart.
        EXPECT_GT(soDiff, 1e-6);
    }
}

TEST(MamlGradients, CancelStopsBetweenInnerSteps)
{
    TinyProblem prob(5);
    MetaLearner learner(prob.model, prob.options(false, 3));
    RunControl control;
    int stepsSeen = 0;
    EXPECT_THROW(learner.adapt(prob.model->metaParameters(), prob.episode.supportX, prob.episode.supportY, 5,
                               true, &control,
                               [&](int step, double) {
                                   stepsSeen = step;
                                   if (step == 2)
                                       control.cancel = true;
                               }),
                 Cancelled);
    EXPECT_EQ(stepsSeen, 2);
}

TEST(MamlGradients, MetaStepReportsNonFiniteLossWithoutChangingWeights)
{
    TinyProblem prob(6);
    auto o = prob.options(false, 1);
    o.innerLr = std::numeric_limits<double>::infinity();
    MetaLearner learner(prob.model, o);
    const auto before = prob.model->metaParameters()[0].detach().clone();
    const auto r = learner.metaStep({prob.episode});
    EXPECT_FALSE(r.finite);
    EXPECT_TRUE(torch::equal(before, prob.model->metaParameters()[0].detach()));
}

} // namespace
} // namespace maml
