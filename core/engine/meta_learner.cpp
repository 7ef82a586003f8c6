#include "core/engine/meta_learner.h"

#include "core/dist/meta_gradient_reduce.h"
#include "core/engine/task_parallel.h"
#include "core/engine/task_parallel_meta.h"
#include "core/util/error.h"

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
    MetaLearnerOptions o;
    o.innerSteps = c.innerStepsTrain;
    o.innerLr = c.innerLr;
    o.metaLr = c.metaLr;
    o.firstOrder = c.firstOrder;
    o.gradClip = c.gradClip;
    o.batchStatistics = c.batchNorm != "running";
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

std::vector<torch::Tensor> InnerLoop::adapt(const std::vector<torch::Tensor>& params, const torch::Tensor& x,
                                            const torch::Tensor& y, int steps, bool createGraph,
                                            const RunControl* control, const InnerStepCallback& onStep)
{
    std::vector<torch::Tensor> fast = params;
    for (int step = 0; step < steps; ++step) {
        checkControl(control);
        auto l = loss(m_model->forward(x, fast, /*training=*/true), y);
        auto grads = torch::autograd::grad({l}, fast, /*grad_outputs=*/{}, /*retain_graph=*/createGraph,
                                           /*create_graph=*/createGraph, /*allow_unused=*/true);
        for (size_t i = 0; i < fast.size(); ++i)
            if (grads[i].defined())
                fast[i] = fast[i] - m_options.innerLr * grads[i];
        if (onStep)
            onStep(step + 1, l.item<double>());
    }
    return fast;
}

TaskGradient InnerLoop::taskGradient(const Episode& raw, const std::vector<torch::Tensor>& params,
                                     double scale, const RunControl* control,
                                     const std::function<void()>& atPeak)
{
    const Episode e = toDevice(raw, params.front().device(), params.front().scalar_type());
    auto fast = adapt(params, e.supportX, e.supportY, m_options.innerSteps, !m_options.firstOrder, control);
    checkControl(control);
    auto logits = m_model->forward(e.queryX, fast, /*training=*/true);
    auto l = loss(logits, e.queryY);
    if (atPeak)
        atPeak();
    TaskGradient out;
    out.grads = torch::autograd::grad({l * scale}, params, /*grad_outputs=*/{}, /*retain_graph=*/false,
                                      /*create_graph=*/false, /*allow_unused=*/true);
    out.loss = l.item<double>();
    out.accuracy = accuracyOf(logits.detach(), e.queryY);
    return out;
}

TaskScore InnerLoop::score(const Episode& raw, int steps, const RunControl* control)
{
    torch::AutoGradMode gradMode(true);
    // With batch statistics nothing writes the buffers, and episodes may be scored on several
    // threads at once; running statistics are restored after the adaptation moved them.
    const bool restore = !m_options.batchStatistics;
    const auto saved = restore ? snapshotBuffers(*m_model) : std::vector<torch::Tensor>{};
    std::vector<torch::Tensor> start;
    for (const auto& p : m_model->metaParameters())
        start.push_back(p.detach().clone().requires_grad_(true));
    const Episode e = toDevice(raw, start.front().device(), start.front().scalar_type());
    auto fast = adapt(start, e.supportX, e.supportY, steps, /*createGraph=*/false, control);
    TaskScore s;
    {
        torch::NoGradGuard noGrad;
        auto logits = m_model->forward(e.queryX, fast, /*training=*/false);
        s.loss = loss(logits, e.queryY).item<double>();
        s.predicted = logits.argmax(1).cpu();
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
