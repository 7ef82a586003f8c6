#include "bench/lib/bench_settings.h"

#include <algorithm>
#include <sys/resource.h>

namespace maml::bench {

void addSettingsOptions(CLI::App& app, MamlSettings& s)
{
    app.add_option("--ways", s.ways, "N");
    app.add_option("--shots", s.shots, "K");
    app.add_option("--queries", s.queries, "Q");
    app.add_option("--meta-batch", s.metaBatch, "tasks per meta-iteration");
    app.add_option("--steps", s.steps, "inner steps");
    app.add_option("--inner-lr", s.innerLr, "inner learning rate");
    app.add_flag("--first-order", s.firstOrder, "FOMAML");
    app.add_option("--filters", s.filters, "Conv-4 filters");
    app.add_option("--channels", s.channels, "image channels");
    app.add_option("--size", s.size, "image side");
    app.add_flag("--lslr", s.lslr, "MAML++: learnable per-layer per-step inner learning rates");
    app.add_flag("--per-step-bn", s.perStepBn, "MAML++: per-step BatchNorm weights and running statistics");
    app.add_flag("--multi-step-loss", s.multiStepLoss, "MAML++: query loss after every inner step");
    app.add_option("--msl-iterations", s.mslIterations, "multi-step loss annealing length");
    app.add_option("--first-order-iterations", s.firstOrderIterations,
                   "MAML++: first order before this iteration");
    app.add_flag("--cosine-meta-lr", s.cosineMetaLr, "MAML++: cosine annealing of the meta learning rate");
    app.add_option("--meta-lr-min", s.metaLrMin, "cosine annealing's final learning rate");
    app.add_option("--run-iterations", s.runIterations, "the run's iterations (cosine annealing)");
    app.add_option("--iteration", s.iteration, "the iteration whose schedule applies");
    app.add_flag("--checkpoint-inner-steps", s.checkpointInnerSteps,
                 "recompute each inner step in the meta-backward (ours only)");
}

std::vector<Episode> randomEpisodes(const MamlSettings& s, uint64_t seed)
{
    torch::manual_seed(seed);
    auto labels = [&](int perClass) {
        return torch::arange(s.ways, torch::kInt64).repeat_interleave(perClass);
    };
    std::vector<Episode> out;
    for (int t = 0; t < s.metaBatch; ++t) {
        Episode e;
        e.supportX = torch::rand({s.ways * s.shots, s.channels, s.size, s.size});
        e.queryX = torch::rand({s.ways * s.queries, s.channels, s.size, s.size});
        e.supportY = labels(s.shots);
        e.queryY = labels(s.queries);
        e.classes.resize(s.ways);
        out.push_back(std::move(e));
    }
    return out;
}

std::shared_ptr<Conv4> makeConv4(const MamlSettings& s)
{
    Conv4Options o;
    o.channels = s.channels;
    o.imageSize = s.size;
    o.filters = s.filters;
    o.ways = s.ways;
    o.batchStatistics = true;
    o.torchOperators = TorchOperators::parse(s.torchOps);
    o.perStepBatchNorm = s.perStepBn ? s.steps : 0;
    auto model = std::make_shared<Conv4>(o);
    if (s.lslr)
        model->enableInnerLearningRates(s.steps, s.innerLr);
    return model;
}

ExperimentConfig scheduleConfig(const MamlSettings& s)
{
    ExperimentConfig c;
    c.innerStepsTrain = s.steps;
    c.innerLr = s.innerLr;
    c.metaLr = 1e-3;
    c.firstOrder = s.firstOrder;
    c.gradClip = 0; // the reference does not clip
    c.batchNorm = s.perStepBn ? "per-step" : "batch";
    c.checkpointInnerSteps = s.checkpointInnerSteps;
    c.firstOrderIterations = s.firstOrderIterations;
    c.multiStepLoss = s.multiStepLoss;
    c.multiStepLossIterations = s.mslIterations;
    c.cosineMetaLr = s.cosineMetaLr;
    c.metaLrMin = s.metaLrMin;
    c.iterations = s.runIterations;
    return c;
}

MetaLearnerOptions learnerOptionsFor(const MamlSettings& s, bool taskParallel, bool tunedAllocator)
{
    // The engine's own mapping from a config, so the bench measures what a run uses.
    MetaLearnerOptions o = learnerOptions(scheduleConfig(s));
    o.taskParallel = taskParallel;
    o.tuneAllocator = tunedAllocator;
    return o;
}

std::unique_ptr<MetaLearner> makeLearner(const MamlSettings& s, bool taskParallel, bool tunedAllocator)
{
    auto learner =
        std::make_unique<MetaLearner>(makeConv4(s), learnerOptionsFor(s, taskParallel, tunedAllocator));
    learner->applySchedule(scheduleAt(scheduleConfig(s), s.iteration));
    return learner;
}

long peakRssKb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

} // namespace maml::bench
