#pragma once
/// \file
/// MAML (Finn et al. 2017) with second-order meta-gradients and first-order MAML (FOMAML),
/// one implementation with a switch, and the parts of MAML++ (Antoniou et al. 2019) that live
/// in the inner loop: learnable per-step inner learning rates, the multi-step loss, per-step
/// BatchNorm (in the model), and inner steps recomputed in the backward pass to save memory.
/// Works for any FunctionalModel (Conv-4, Transformer).

#include "core/data/episode.h"
#include "core/engine/config.h"
#include "core/engine/functional_model.h"
#include "core/engine/progress.h"
#include "core/engine/schedule.h"

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <vector>

namespace maml {

class Collective;

struct MetaLearnerOptions {
    int innerSteps = 1;      ///< inner steps per task during meta-training
    double innerLr = 0.4;    ///< alpha
    double metaLr = 1e-3;    ///< Adam learning rate
    bool firstOrder = false; ///< FOMAML: inner gradients are treated as constants
    double gradClip = 10.0;  ///< max global norm of the meta-gradient; 0 = no clipping
    /// MAML++ multi-step loss: the weight of the query loss after each inner step (innerSteps
    /// entries); empty: only the query loss after the last step (MAML). The trainer sets it
    /// per iteration (schedule.h).
    std::vector<double> stepLossWeights;
    /// Second order: keep only each inner step's weights and recompute the step's graph during
    /// the meta-backward (the same meta-gradient; memory independent of innerSteps).
    bool checkpointInnerSteps = false;
    bool batchStatistics = true; ///< BatchNorm mode: forward(training=true) also at test time
    /// Run the tasks of a meta-batch on parallel threads (same result; see task_parallel_meta.h).
    bool taskParallel = true;
    /// Task-parallel workers start one after another (an experiment; docs/performance.md).
    bool staggerTasks = false;
    /// Keep freed activation memory for reuse (tuneAllocatorForTraining, task_parallel.h);
    /// done once per process, by the first MetaLearner built with it.
    bool tuneAllocator = true;
};

/// Mean query loss and accuracy over the tasks of one meta-batch.
struct MetaStepResult {
    double loss = 0;
    double accuracy = 0;
    double gradNorm = 0; ///< meta-gradient norm before clipping
    bool finite = true;  ///< false: loss or gradient was NaN/Inf and no update was made
    /// Distributed: some rank asked to stop (Ctrl-C); every rank sees the same value, after
    /// the same, completed step.
    bool stopRequested = false;
};

/// Query loss and accuracy of one adapted task, with the predictions.
struct TaskScore {
    double loss = 0;
    double accuracy = 0;
    torch::Tensor predicted; ///< int64 [n_query] predicted episode labels
};

/// One task's share of a meta-gradient: scale * d(query loss after adaptation)/d(params).
struct TaskGradient {
    double loss = 0;
    double accuracy = 0;
    std::vector<torch::Tensor> grads; ///< one per parameter; undefined where it has no effect
};

/// Called after each inner step with (step index 1..S, support loss before that step).
using InnerStepCallback = std::function<void(int step, double supportLoss)>;

/// The per-task part of MAML: adapt weights on a support set, score a query set, and one
/// task's meta-gradient. Holds no optimizer: evaluation and adaptation use it alone.
class InnerLoop {
public:
    InnerLoop(std::shared_ptr<FunctionalModel> model, const MetaLearnerOptions& options);
    virtual ~InnerLoop() = default;

    FunctionalModel& model() { return *m_model; }
    std::shared_ptr<FunctionalModel> modelPtr() { return m_model; }
    const MetaLearnerOptions& options() const { return m_options; }

    /// `steps` SGD steps on the support set, starting from `params` (the layout of the model's
    /// metaParameters()). createGraph = true keeps the graph for second-order meta-gradients.
    /// Does not update running statistics. Checks `control` between steps (throws
    /// maml::Cancelled).
    std::vector<torch::Tensor> adapt(const std::vector<torch::Tensor>& params, const torch::Tensor& x,
                                     const torch::Tensor& y, int steps, bool createGraph,
                                     const RunControl* control = nullptr,
                                     const InnerStepCallback& onStep = {});

    /// Inner step `step` (0-based) from `fast` (metaParameters() layout): each adapted weight
    /// moves by its learning rate (LSLR's for the step, or the last step's beyond them; else
    /// options().innerLr) times the support loss's gradient; the other entries pass through.
    /// `supportLoss`, when given, receives the loss before the step.
    std::vector<torch::Tensor> innerStep(const std::vector<torch::Tensor>& fast, const torch::Tensor& x,
                                         const torch::Tensor& y, int step, bool createGraph,
                                         bool updateStatistics, double* supportLoss = nullptr);

    /// The model's logits for `x` under `fast` (metaParameters() layout) at inner step `step`.
    torch::Tensor logits(const torch::Tensor& x, const std::vector<torch::Tensor>& fast, bool training,
                         const StepContext& step);

    /// A starting point for adaptation from `meta` (metaParameters() layout): the adapted
    /// weights as fresh copies that require grad, the other entries detached.
    std::vector<torch::Tensor> startingPoint(const std::vector<torch::Tensor>& meta);

    /// One task of a meta-batch: adapt `params` on the support set (options().innerSteps,
    /// second order unless options().firstOrder), score the query set, and return
    /// scale * the query loss's gradient with respect to `params` (with the multi-step loss:
    /// of the weighted sum of the query losses after each step). The reported loss and
    /// accuracy are those after the last step. Training forwards update per-step running
    /// statistics. `atPeak` is called when the task's whole graph exists, just before the
    /// backward pass frees it.
    TaskGradient taskGradient(const Episode& episode, const std::vector<torch::Tensor>& params, double scale,
                              const RunControl* control = nullptr, const std::function<void()>& atPeak = {});

    /// Adapt-then-score: adapts copies of the meta-parameters for `steps` steps on the support
    /// set and scores the query set. The meta-parameters and buffers are not changed.
    TaskScore score(const Episode& episode, int steps, const RunControl* control = nullptr);

protected:
    torch::Tensor loss(const torch::Tensor& logits, const torch::Tensor& y) const;
    /// Weight of the query loss after inner step `step` in the meta-objective.
    double stepLossWeight(int step) const;
    /// taskGradient with options().checkpointInnerSteps (inner_step_checkpointing.cpp).
    TaskGradient checkpointedTaskGradient(const Episode& episode, const std::vector<torch::Tensor>& params,
                                          double scale, const RunControl* control,
                                          const std::function<void()>& atPeak);

    std::shared_ptr<FunctionalModel> m_model;
    MetaLearnerOptions m_options;
};

/// MAML's outer loop: the meta-gradient of a meta-batch (its tasks scheduled by
/// task_parallel_meta.h) and Adam on the meta-parameters.
class MetaLearner : public InnerLoop {
public:
    MetaLearner(std::shared_ptr<FunctionalModel> model, const MetaLearnerOptions& options);

    torch::optim::Adam& optimizer() { return *m_optimizer; }

    /// Distributed training (core/dist): from now on a meta-batch has `metaBatch` tasks split
    /// over collective->worldSize() processes, and the `batch` given to computeMetaGradient and
    /// metaStep is this process's share of it (shareOf in task_range.h). Each task's gradient
    /// is scaled by 1 / metaBatch as alone; the shares' sums are added with one all-reduce
    /// (meta_gradient_reduce.h), clipping uses the agreed norm, and `control` is not checked
    /// inside a step: a cancel becomes MetaStepResult::stopRequested on every rank.
    void setCollective(std::shared_ptr<Collective> collective, int metaBatch);
    Collective* collective() const { return m_collective.get(); }

    /// Puts the meta-gradient of the mean query loss over `batch` into the meta-parameters'
    /// .grad (replacing what was there): the tasks' gradients summed in task order, so the
    /// result does not depend on how the tasks were scheduled. Does not step the optimizer.
    MetaStepResult computeMetaGradient(const std::vector<Episode>& batch,
                                       const RunControl* control = nullptr);

    /// One meta-update: computeMetaGradient, then, if loss and gradient are finite, gradient
    /// clipping and an Adam step (otherwise nothing changes and result.finite is false).
    MetaStepResult metaStep(const std::vector<Episode>& batch, const RunControl* control = nullptr);

    /// Applies one iteration's MAML++ schedule: Adam's learning rate, first or second order,
    /// the multi-step loss weights. The trainer calls it before every metaStep.
    void applySchedule(const IterationSchedule& schedule);

private:
    std::unique_ptr<torch::optim::Adam> m_optimizer;
    std::shared_ptr<Collective> m_collective;
    int m_metaBatch = 0; ///< tasks of a whole meta-batch when m_collective is set
};

/// The meta-learner settings of a config (training inner steps, rates, clipping, BN mode, and
/// the schedule of iteration 0).
MetaLearnerOptions learnerOptions(const ExperimentConfig& config);

/// Moves an episode's tensors to `device` (and floating tensors to `dtype`).
Episode toDevice(const Episode& e, const torch::Device& device, torch::ScalarType dtype = torch::kFloat32);

} // namespace maml
