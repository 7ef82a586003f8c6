// InnerLoop::taskGradient with gradient checkpointing over the inner steps: the forward keeps
// only each step's adapted weights; the meta-backward recomputes one step's graph at a time
// (create_graph) from the stored weights and pulls the incoming vector through it (a
// vector-Jacobian product), from the last step to the first. Memory then holds one step's
// graph instead of all of them, for one more forward and backward per step.
#include "core/engine/meta_learner.h"

#include "core/util/error.h"

namespace maml {

namespace {
void checkControl(const RunControl* control)
{
    if (control && control->cancelled())
        throw Cancelled();
}

/// `state` with its adapted weights as fresh leaves that require grad; the other entries (the
/// meta-parameters the inner loop does not adapt, the inner learning rates) as they are.
std::vector<torch::Tensor> leaves(const std::vector<torch::Tensor>& state, const std::vector<bool>& adapted)
{
    auto out = state;
    for (size_t i = 0; i < adapted.size(); ++i)
        if (adapted[i])
            out[i] = state[i].detach().requires_grad_(true);
    return out;
}

std::vector<torch::Tensor> detachedAdapted(const std::vector<torch::Tensor>& state,
                                           const std::vector<bool>& adapted)
{
    auto out = state;
    for (size_t i = 0; i < adapted.size(); ++i)
        if (adapted[i])
            out[i] = state[i].detach();
    return out;
}

void accumulate(torch::Tensor& into, const torch::Tensor& g)
{
    if (g.defined())
        into = into.defined() ? into + g : g;
}
} // namespace

TaskGradient InnerLoop::checkpointedTaskGradient(const Episode& e, const std::vector<torch::Tensor>& params,
                                                 double scale, const RunControl* control,
                                                 const std::function<void()>& atPeak)
{
    const auto adapted = m_model->adaptedWeights();
    const int steps = m_options.innerSteps;
    TaskGradient result;

    // Forward: states[k] holds the weights before step k. The query forwards run here too, in
    // the normal path's order, for the running statistics they update and the reported numbers.
    std::vector<std::vector<torch::Tensor>> states{detachedAdapted(params, adapted)};
    for (int k = 0; k < steps; ++k) {
        checkControl(control);
        auto next = innerStep(leaves(states[k], adapted), e.supportX, e.supportY, k, /*createGraph=*/false,
                              /*updateStatistics=*/true);
        states.push_back(detachedAdapted(next, adapted));
        if (stepLossWeight(k) == 0)
            continue;
        torch::NoGradGuard noGrad;
        auto out = logits(e.queryX, states.back(), /*training=*/true, {k, /*updateStatistics=*/true});
        result.loss = loss(out, e.queryY).item<double>();
        result.accuracy = out.argmax(1).eq(e.queryY).to(torch::kFloat64).mean().item<double>();
    }

    // Backward: v = d(objective)/d(adapted weights of states[k + 1]), pulled back one step at a
    // time; the gradients of the entries the inner loop does not adapt add up on the way.
    if (atPeak)
        atPeak();
    std::vector<torch::Tensor> grads(params.size()), v(adapted.size());
    for (int k = steps - 1; k >= 0; --k) {
        checkControl(control);
        if (const double weight = stepLossWeight(k); weight != 0) {
            auto q = leaves(states[k + 1], adapted);
            auto l = loss(logits(e.queryX, q, /*training=*/true, {k, false}), e.queryY) * (weight * scale);
            const auto g = torch::autograd::grad({l}, q, /*grad_outputs=*/{}, /*retain_graph=*/false,
                                                 /*create_graph=*/false, /*allow_unused=*/true);
            for (size_t i = 0; i < g.size(); ++i)
                accumulate(i < adapted.size() && adapted[i] ? v[i] : grads[i], g[i]);
        }
        auto s = leaves(states[k], adapted);
        auto next = innerStep(s, e.supportX, e.supportY, k, /*createGraph=*/true, /*updateStatistics=*/false);
        std::vector<torch::Tensor> outputs, vectors;
        for (size_t i = 0; i < adapted.size(); ++i)
            if (adapted[i] && v[i].defined()) {
                outputs.push_back(next[i]);
                vectors.push_back(v[i]);
            }
        if (outputs.empty())
            continue; // nothing reaches these weights (cannot happen with a weighted last step)
        const auto g = torch::autograd::grad(outputs, s, vectors, /*retain_graph=*/false,
                                             /*create_graph=*/false, /*allow_unused=*/true);
        for (size_t i = 0; i < g.size(); ++i) {
            if (i < adapted.size() && adapted[i])
                v[i] = g[i];
            else
                accumulate(grads[i], g[i]);
        }
    }
    for (size_t i = 0; i < adapted.size(); ++i)
        if (adapted[i])
            grads[i] = v[i];
    result.grads = std::move(grads);
    return result;
}

} // namespace maml
