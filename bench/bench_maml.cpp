// The workbench side of the MAML benchmark (bench/run.py drives it against reference_maml.py).
//   bench_maml time  [settings] --threads T --path parallel|plain --iters N --warmup W
//       times MetaLearner::metaStep on fixed random episodes; prints one JSON line.
//   bench_maml check --case PREFIX [--threads T] [--tolerance R] [--checkpoint-inner-steps]
//       loads a meta-batch exported by reference_maml.py (with its MAML++ parts), computes the
//       meta-gradient on both paths, and compares them with the reference's (and the per-step
//       running statistics and the schedule); exit code 1 if they disagree.

#include "bench/lib/bench_settings.h"
#include "bench/lib/reference_case.h"
#include "core/engine/task_parallel_meta.h"
#include "core/engine/threads.h"
#include "core/modules.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>

using namespace maml;
using namespace maml::bench;

namespace {

struct TimeArgs {
    MamlSettings settings;
    int threads = 1, iters = 5, warmup = 2;
    uint64_t seed = 1;
    std::string path = "parallel";
    bool tunedAllocator = true;
    bool stagger = false;
};

int runTime(const TimeArgs& a)
{
    applyThreads(a.threads);
    torch::manual_seed(a.seed);
    auto learner = makeLearner(a.settings, a.path == "parallel", a.tunedAllocator);
    auto options = learner->options();
    options.staggerTasks = a.stagger;
    learner = std::make_unique<MetaLearner>(learner->modelPtr(), options);
    const auto episodes = randomEpisodes(a.settings, a.seed);
    std::vector<double> times;
    for (int i = 0; i < a.warmup + a.iters; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        learner->metaStep(episodes);
        const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
        if (i >= a.warmup)
            times.push_back(dt.count());
    }
    nlohmann::json out{{"impl", "ours-" + a.path + (a.tunedAllocator ? "" : "-plainmalloc") +
                                    (a.settings.checkpointInnerSteps ? "-checkpointed" : "")},
                       {"median_s", median(times)},
                       {"times_s", times},
                       {"peak_rss_kb", peakRssKb()},
                       {"threads", torch::get_num_threads()}};
    std::cout << out.dump() << std::endl;
    return 0;
}

/// ||a - b|| / ||b|| over all tensors together, and the largest element-wise |a - b|.
std::pair<double, double> compare(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    double diff = 0, ref = 0, maxAbs = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const auto d = (a[i].to(torch::kFloat64) - b[i].to(torch::kFloat64));
        diff += d.pow(2).sum().item<double>();
        ref += b[i].to(torch::kFloat64).pow(2).sum().item<double>();
        maxAbs = std::max(maxAbs, d.abs().max().item<double>());
    }
    return {std::sqrt(diff / ref), maxAbs};
}

double relativeError(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    return a.empty() ? 0.0 : compare(a, b).first;
}

nlohmann::json checkPath(const ReferenceCase& c, bool taskParallel, bool checkpointed)
{
    auto settings = c.settings;
    settings.checkpointInnerSteps = checkpointed;
    auto learner = makeLearner(settings, taskParallel);
    auto params = learner->model().metaParameters();
    if (params.size() != c.params.size())
        throw Error("the model has " + std::to_string(params.size()) + " meta-parameters, the reference " +
                        std::to_string(c.params.size()),
                    "bench_maml check", "Export the case with the same settings");
    {
        torch::NoGradGuard noGrad;
        for (size_t i = 0; i < params.size(); ++i) {
            if (!params[i].sizes().equals(c.params[i].sizes()))
                throw Error("parameter " + std::to_string(i) + " has another shape than the reference's",
                            "bench_maml check", "Export the case with the same settings");
            params[i].copy_(c.params[i]);
        }
    }
    const auto r = learner->computeMetaGradient(c.episodes);
    std::vector<torch::Tensor> grads;
    for (const auto& p : params)
        grads.push_back(p.grad().clone());
    const auto [rel, maxAbs] = compare(grads, c.grads);
    std::vector<torch::Tensor> means, vars;
    for (const auto& b : learner->model().named_buffers()) {
        if (b.key().find("running_mean") != std::string::npos)
            means.push_back(b.value());
        if (b.key().find("running_var") != std::string::npos)
            vars.push_back(b.value());
    }
    const double statsRel = c.runningMeans.empty() ? 0.0
                                                   : std::max(relativeError(means, c.runningMeans),
                                                              relativeError(vars, c.runningVars));
    // The schedule: the same learning rate, derivative order and step weights as the reference's.
    const auto& o = learner->options();
    std::vector<double> weights = o.stepLossWeights;
    if (weights.empty()) {
        weights.assign(settings.steps, 0.0);
        weights.back() = 1.0;
    }
    double weightDiff = weights.size() == c.stepLossWeights.size() ? 0.0 : 1.0;
    for (size_t k = 0; k < weights.size() && k < c.stepLossWeights.size(); ++k)
        weightDiff = std::max(weightDiff, std::abs(weights[k] - c.stepLossWeights[k]));
    const bool scheduleAgrees = std::abs(o.metaLr - c.metaLr) <= 1e-9 * c.metaLr &&
                                o.firstOrder == c.firstOrderUsed && weightDiff <= 1e-12;
    // Asked for the task-parallel path, a run with running statistics still runs the plain one
    // (task_parallel_meta.h): say which ran.
    const bool ranParallel = taskParallel && useTaskParallel(*learner, c.episodes.size());
    const std::string path = ranParallel ? "parallel" : taskParallel ? "plain (parallel off)" : "plain";
    return {{"path", path + (checkpointed ? "+checkpointed" : "")},
            {"relative_error", rel},
            {"max_abs_diff", maxAbs},
            {"running_stats_relative_error", statsRel},
            {"loss", r.loss},
            {"reference_loss", c.loss},
            {"meta_lr", o.metaLr},
            {"reference_meta_lr", c.metaLr},
            {"schedule_agrees", scheduleAgrees},
            {"grads", grads.size()}};
}

int runCheck(const std::string& prefix, int threads, double tolerance, bool checkpointed)
{
    applyThreads(threads);
    const auto c = loadReferenceCase(prefix);
    bool ok = true;
    for (bool parallel : {false, true}) {
        auto j = checkPath(c, parallel, checkpointed);
        const double lossRel = std::abs(j["loss"].get<double>() - c.loss) / std::abs(c.loss);
        j["agrees"] = j["relative_error"].get<double>() <= tolerance && lossRel <= tolerance &&
                      j["running_stats_relative_error"].get<double>() <= tolerance &&
                      j["schedule_agrees"].get<bool>();
        ok = ok && j["agrees"].get<bool>();
        std::cout << j.dump() << std::endl;
    }
    return ok ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    maml::registerBuiltinModules();
    CLI::App app{"MAML meta-iteration benchmark (the workbench side)"};
    app.require_subcommand(1);
    TimeArgs t;
    auto* time = app.add_subcommand("time", "time meta-iterations");
    addSettingsOptions(*time, t.settings);
    time->add_option("--threads", t.threads, "torch threads");
    time->add_option("--iters", t.iters, "timed meta-iterations");
    time->add_option("--warmup", t.warmup, "untimed meta-iterations first");
    time->add_option("--seed", t.seed, "seed");
    time->add_option("--path", t.path, "parallel (tasks on threads) or plain (operators on threads)")
        ->check(CLI::IsMember({"parallel", "plain"}));
    bool plainMalloc = false;
    time->add_flag("--plain-malloc", plainMalloc, "leave glibc's allocator settings alone");
    time->add_flag("--stagger", t.stagger, "start the task workers one after another (experiment)");
    time->add_option("--torch-ops", t.settings.torchOps,
                     "Conv-4 operators taken from torch instead of ours: conv,bn,pool or all (ablation)");
    std::string prefix;
    int checkThreads = 2;
    double tolerance = 1e-4;
    auto* check = app.add_subcommand("check", "compare meta-gradients with the reference's");
    check->add_option("--case", prefix, "PREFIX of PREFIX.json/.bin from reference_maml.py export")
        ->required();
    check->add_option("--threads", checkThreads, "torch threads");
    check->add_option("--tolerance", tolerance, "largest accepted relative error");
    bool checkpointed = false;
    check->add_flag("--checkpoint-inner-steps", checkpointed,
                    "ours with the inner steps recomputed in the backward");
    CLI11_PARSE(app, argc, argv);
    try {
        t.tunedAllocator = !plainMalloc;
        return time->parsed() ? runTime(t) : runCheck(prefix, checkThreads, tolerance, checkpointed);
    } catch (const std::exception& e) {
        std::cerr << "bench_maml: " << e.what() << std::endl;
        return 1;
    }
}
