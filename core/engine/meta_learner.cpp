#include "core/engine/meta_learner.h"

#include "core/dist/meta_gradient_reduce.h"
#include "core/engine/task_parallel.h"
#include "core/engine/task_parallel_meta.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>

namespace maml {

namespace {
void checkControl(const RunControl* control)
{
    if (control && control->cancelled())
        throw Cancelled();
}

double accuracyOf(const torch::Tensor& logits, const torch::Tensor& y)
{
    return logits.argmax(1).eq(y).to(torch::kFloat64).mean().item<double>();
}

/// Copies of the buffers (BatchNorm running statistics), restored after an evaluation so
/// that scoring never changes the model.
std::vector<torch::Tensor> snapshotBuffers(FunctionalModel& m)
{
    std::vector<torch::Tensor> out;
    for (const auto& b : m.buffers())
        out.push_back(b.clone());
    return out;
}

void restoreBuffers(FunctionalModel& m, const std::vector<torch::Tensor>& saved)
{
    torch::NoGradGuard noGrad;
    auto buffers = m.buffers();
    for (size_t i = 0; i < buffers.size() && i < saved.size(); ++i)
        buffers[i].copy_(saved[i]);
}
} // namespace

MetaLearnerOptions learnerOptions(const ExperimentConfig& c)
{
    const auto first = scheduleAt(c, 0);
    MetaLearnerOptions o;
    o.innerSteps = c.innerStepsTrain;
    o.innerLr = c.innerLr;
    o.metaLr = first.metaLr;
    o.firstOrder = first.firstOrder;
    o.stepLossWeights = first.stepLossWeights;
    o.gradClip = c.gradClip;
    // Only batch statistics leave the model untouched by training forwards (task_parallel_meta.h).
    o.batchStatistics = c.batchNorm == "batch";
    o.checkpointInnerSteps = c.checkpointInnerSteps;
    return o;
}

Episode toDevice(const Episode& e, const torch::Device& device, torch::ScalarType dtype)
{
    auto move = [&](const torch::Tensor& t) {
        return t.is_floating_point() ? t.to(device, dtype) : t.to(device);
    };
    Episode out = e;
    out.supportX = move(e.supportX);
    out.supportY = move(e.supportY);
    out.queryX = move(e.queryX);
    out.queryY = move(e.queryY);
    return out;
}

InnerLoop::InnerLoop(std::shared_ptr<FunctionalModel> model, const MetaLearnerOptions& options)
    : m_model(std::move(model)), m_options(options)
{
}

torch::Tensor InnerLoop::loss(const torch::Tensor& logits, const torch::Tensor& y) const
{
    return torch::nn::functional::cross_entropy(logits, y);
}

double InnerLoop::stepLossWeight(int step) const
{
    const auto& w = m_options.stepLossWeights;
    if (w.empty())
        return step == m_options.innerSteps - 1 ? 1.0 : 0.0;
    if (static_cast<int>(w.size()) != m_options.innerSteps)
        throw Error("the multi-step loss has " + std::to_string(w.size()) + " weights for " +
                        std::to_string(m_options.innerSteps) + " inner steps",
                    "MetaLearner");
    return w[step];
}

std::vector<torch::Tensor> InnerLoop::innerStep(const std::vector<torch::Tensor>& fast,
                                                const torch::Tensor& x, const torch::Tensor& y, int step,
                                                bool createGraph, bool updateStatistics, double* supportLoss)
{
    const auto mask = m_model->adaptedWeights();
    const size_t count = mask.size();
    const std::vector<torch::Tensor> weights(fast.begin(), fast.begin() + count);
    auto l = loss(m_model->forwardAt(x, weights, /*training=*/true, {step, updateStatistics}), y);
    std::vector<torch::Tensor> inputs;
    for (size_t i = 0; i < count; ++i)
        if (mask[i])
            inputs.push_back(fast[i]);
    auto grads = torch::autograd::grad({l}, inputs, /*grad_outputs=*/{}, /*retain_graph=*/createGraph,
                                       /*create_graph=*/createGraph, /*allow_unused=*/true);
    // LSLR: the learning rates follow the weights in `fast`, one row per adapted weight.
    const bool lslr = fast.size() > count;
    const int64_t column = lslr ? std::min<int64_t>(step, fast[count].size(1) - 1) : 0;
    auto out = fast;
    for (size_t i = 0, row = 0; i < count; ++i) {
        if (!mask[i])
            continue;
        if (grads[row].defined())
            out[i] = lslr ? fast[i] - fast[count][row][column] * grads[row]
                          : fast[i] - m_options.innerLr * grads[row];
        ++row;
    }
    if (supportLoss)
        *supportLoss = l.item<double>();
    return out;
}

torch::Tensor InnerLoop::logits(const torch::Tensor& x, const std::vector<torch::Tensor>& fast, bool training,
                                const StepContext& step)
{
    const size_t count = m_model->adaptedWeights().size();
    return m_model->forwardAt(x, std::vector<torch::Tensor>(fast.begin(), fast.begin() + count), training,
                              step);
}

std::vector<torch::Tensor> InnerLoop::startingPoint(const std::vector<torch::Tensor>& meta)
{
    const auto mask = m_model->adaptedWeights();
    std::vector<torch::Tensor> start;
    for (size_t i = 0; i < meta.size(); ++i)
        start.push_back(i < mask.size() && mask[i] ? meta[i].detach().clone().requires_grad_(true)
                                                   : meta[i].detach());
    return start;
}

std::vector<torch::Tensor> InnerLoop::adapt(const std::vector<torch::Tensor>& params, const torch::Tensor& x,
                                            const torch::Tensor& y, int steps, bool createGraph,
                                            const RunControl* control, const InnerStepCallback& onStep)
{
    std::vector<torch::Tensor> fast = params;
    for (int step = 0; step < steps; ++step) {
        checkControl(control);
        double supportLoss = 0;
        fast = innerStep(fast, x, y, step, createGraph, /*updateStatistics=*/false,
                         onStep ? &supportLoss : nullptr);
        if (onStep)
            onStep(step + 1, supportLoss);
    }
    return fast;
}

TaskGradient InnerLoop::taskGradient(const Episode& raw, const std::vector<torch::Tensor>& params,
                                     double scale, const RunControl* control,
                                     const std::function<void()>& atPeak)
{
    const Episode e = toDevice(raw, params.front().device(), params.front().scalar_type());
    const int steps = m_options.innerSteps;
    if (steps < 1)
        throw Error("meta-training needs at least one inner step", "MetaLearner");
    if (m_options.checkpointInnerSteps && !m_options.firstOrder)
        return checkpointedTaskGradient(e, params, scale, control, atPeak);
    auto fast = params;
    torch::Tensor objective, lastLogits, lastLoss;
    for (int step = 0; step < steps; ++step) {
        checkControl(control);
        fast =
            innerStep(fast, e.supportX, e.supportY, step, !m_options.firstOrder, /*updateStatistics=*/true);
        const double weight = stepLossWeight(step);
        if (weight == 0)
            continue;
        checkControl(control);
        auto out = logits(e.queryX, fast, /*training=*/true, {step, /*updateStatistics=*/true});
        auto l = loss(out, e.queryY);
        auto term = weight == 1 ? l : weight * l;
        objective = objective.defined() ? objective + term : term;
        lastLogits = out;
        lastLoss = l;
    }
    if (atPeak)
        atPeak();
    TaskGradient out;
    out.grads =
        torch::autograd::grad({objective * scale}, params, /*grad_outputs=*/{}, /*retain_graph=*/false,
                              /*create_graph=*/false, /*allow_unused=*/true);
    out.loss = lastLoss.item<double>();
    out.accuracy = accuracyOf(lastLogits.detach(), e.queryY);
    return out;
}

TaskScore InnerLoop::score(const Episode& raw, int steps, const RunControl* control)
{
    torch::AutoGradMode gradMode(true);
    // With batch statistics nothing writes the buffers, and episodes may be scored on several
    // threads at once; running statistics are restored after the adaptation moved them.
    const bool restore = !m_options.batchStatistics;
    const auto saved = restore ? snapshotBuffers(*m_model) : std::vector<torch::Tensor>{};
    const auto start = startingPoint(m_model->metaParameters());
    const Episode e = toDevice(raw, start.front().device(), start.front().scalar_type());
    auto fast = adapt(start, e.supportX, e.supportY, steps, /*createGraph=*/false, control);
    TaskScore s;
    {
        torch::NoGradGuard noGrad;
        auto out = logits(e.queryX, fast, /*training=*/false, {std::max(steps - 1, 0), false});
        s.loss = loss(out, e.queryY).item<double>();
        s.predicted = out.argmax(1).cpu();
        s.accuracy = s.predicted.eq(e.queryY.cpu()).to(torch::kFloat64).mean().item<double>();
    }
    if (restore)
        restoreBuffers(*m_model, saved);
    return s;
}

MetaLearner::MetaLearner(std::shared_ptr<FunctionalModel> model, const MetaLearnerOptions& options)
    : InnerLoop(std::move(model), options)
{
    if (options.tuneAllocator)
        tuneAllocatorForTraining(); // see task_parallel.h: a large part of CPU training time otherwise
    m_optimizer = std::make_unique<torch::optim::Adam>(m_model->metaParameters(),
                                                       torch::optim::AdamOptions(options.metaLr));
}

void MetaLearner::setCollective(std::shared_ptr<Collective> collective, int metaBatch)
{
    m_collective = std::move(collective);
    m_metaBatch = metaBatch;
}

MetaStepResult MetaLearner::computeMetaGradient(const std::vector<Episode>& batch, const RunControl* control)
{
    torch::AutoGradMode gradMode(true);
    const auto params = m_model->metaParameters();
    const double scale = 1.0 / static_cast<double>(m_collective ? m_metaBatch : batch.size());
    const RunControl* inTasks = m_collective ? nullptr : control; // see setCollective
    auto tasks = runTasks(*this, batch.size(), [&](size_t i, const std::function<void()>& atPeak) {
        return taskGradient(batch[i], params, scale, inTasks, atPeak);
    });
    MetaStepResult r;
    std::vector<std::vector<torch::Tensor>> perTask;
    for (auto& t : tasks) {
        r.loss += t.loss * scale;
        r.accuracy += t.accuracy * scale;
        perTask.push_back(std::move(t.grads));
    }
    const auto sum = sumInTaskOrder(perTask);
    if (m_collective)
        return allReduceMetaGradient(*m_collective, params,
                                     {sum, r.loss, r.accuracy, control && control->cancelled()});
    double sq = 0;
    for (size_t i = 0; i < params.size(); ++i) {
        auto p = params[i];
        if (i < sum.size() && sum[i].defined()) {
            p.mutable_grad() = sum[i];
            sq += sum[i].to(torch::kFloat64).pow(2).sum().item<double>();
        } else if (p.grad().defined()) {
            p.mutable_grad().zero_();
        }
    }
    r.gradNorm = std::sqrt(sq);
    r.finite = std::isfinite(r.loss) && std::isfinite(r.gradNorm);
    return r;
}

void MetaLearner::applySchedule(const IterationSchedule& schedule)
{
    m_options.firstOrder = schedule.firstOrder;
    m_options.stepLossWeights = schedule.stepLossWeights;
    m_options.metaLr = schedule.metaLr;
    for (auto& group : m_optimizer->param_groups())
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(schedule.metaLr);
}

MetaStepResult MetaLearner::metaStep(const std::vector<Episode>& batch, const RunControl* control)
{
    auto r = computeMetaGradient(batch, control);
    if (!r.finite)
        return r;
    if (m_options.gradClip > 0 && m_collective)
        clipToNorm(m_model->metaParameters(), r.gradNorm, m_options.gradClip);
    else if (m_options.gradClip > 0)
        torch::nn::utils::clip_grad_norm_(m_model->metaParameters(), m_options.gradClip);
    m_optimizer->step();
    return r;
}

} // namespace maml
