// The workbench side of the MAML benchmark (bench/run.py drives it against reference_maml.py).
//   bench_maml time  [settings] --threads T --path parallel|plain --iters N --warmup W
//       times MetaLearner::metaStep on fixed random episodes; prints one JSON line.
//   bench_maml check --case PREFIX [--threads T] [--tolerance R]
//       loads a meta-batch exported by reference_maml.py, computes the meta-gradient on both
//       paths, and compares them with the reference's; exit code 1 if they disagree.

#include "bench/lib/bench_settings.h"
#include "bench/lib/reference_case.h"
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
    auto options = learnerOptionsFor(a.settings, a.path == "parallel", a.tunedAllocator);
    options.staggerTasks = a.stagger;
    MetaLearner learner(makeConv4(a.settings), options);
    const auto episodes = randomEpisodes(a.settings, a.seed);
    std::vector<double> times;
    for (int i = 0; i < a.warmup + a.iters; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        learner.metaStep(episodes);
        const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
        if (i >= a.warmup)
            times.push_back(dt.count());
    }
    nlohmann::json out{{"impl", "ours-" + a.path + (a.tunedAllocator ? "" : "-plainmalloc")},
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

nlohmann::json checkPath(const ReferenceCase& c, bool taskParallel)
{
    MetaLearner learner(makeConv4(c.settings), learnerOptionsFor(c.settings, taskParallel));
    auto params = learner.model().metaParameters();
    {
        torch::NoGradGuard noGrad;
        for (size_t i = 0; i < params.size(); ++i) {
            if (!params[i].sizes().equals(c.params[i].sizes()))
                throw Error("parameter " + std::to_string(i) + " has another shape than the reference's",
                            "bench_maml check", "Export the case with the same settings");
            params[i].copy_(c.params[i]);
        }
    }
    const auto r = learner.computeMetaGradient(c.episodes);
    std::vector<torch::Tensor> grads;
    for (const auto& p : params)
        grads.push_back(p.grad().clone());
    const auto [rel, maxAbs] = compare(grads, c.grads);
    return {{"path", taskParallel ? "parallel" : "plain"},
            {"relative_error", rel},
            {"max_abs_diff", maxAbs},
            {"loss", r.loss},
            {"reference_loss", c.loss},
            {"grads", grads.size()}};
}

int runCheck(const std::string& prefix, int threads, double tolerance)
{
    applyThreads(threads);
    const auto c = loadReferenceCase(prefix);
    bool ok = true;
    for (bool parallel : {false, true}) {
        auto j = checkPath(c, parallel);
        const double lossRel = std::abs(j["loss"].get<double>() - c.loss) / std::abs(c.loss);
        j["agrees"] = j["relative_error"].get<double>() <= tolerance && lossRel <= tolerance;
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
    CLI11_PARSE(app, argc, argv);
    try {
        t.tunedAllocator = !plainMalloc;
        return time->parsed() ? runTime(t) : runCheck(prefix, checkThreads, tolerance);
    } catch (const std::exception& e) {
        std::cerr << "bench_maml: " << e.what() << std::endl;
        return 1;
    }
}
