// maml-cli presets, train, resume (eval and adapt: cmd_engine_eval.cpp).
#include "app/cli/cli.h"
#include "app/cli/cmd_engine_common.h"
#include "app/cli/dist_args.h"
#include "app/cli/dist_run.h"
#include "app/cli/progress_printer.h"

#include "core/engine/data_kind.h"
#include "core/engine/experiment_check.h"
#include "core/engine/presets.h"
#include "core/engine/trainer.h"
#include "core/text/transformer_options.h"
#include "core/util/error.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace maml::cli {

namespace {
/// The progress bar of `train` / `resume` on stderr.
class ProgressBar final : public TrainObserver {
public:
    void onStart(int64_t first, int64_t total) override
    {
        if (first > 0)
            std::cerr << "resuming at iteration " << first << " of " << total << "\n";
    }
    void onIteration(const TrainProgress& p) override
    {
        const int width = 24;
        const double fraction = static_cast<double>(p.iteration) / std::max<int64_t>(1, p.iterations);
        const int filled = static_cast<int>(width * fraction);
        std::ostringstream line;
        if (m_printer.interactive())
            line << "[" << std::string(filled, '#') << std::string(width - filled, '.') << "] ";
        else
            line << "iteration ";
        line << p.iteration << "/" << p.iterations << std::fixed << std::setprecision(3) << "  loss "
             << p.trainLoss << "  acc " << p.trainAccuracy << std::setprecision(2) << "  " << p.itersPerSecond
             << " it/s  ETA " << formatDuration(p.etaSeconds);
        m_printer.update(fraction, line.str(), p.hasValidation);
    }
    void onValidation(const TrainProgress& p) override
    {
        m_printer.breakLine();
        std::cerr << "  validation @" << p.iteration << ": acc " << std::fixed << std::setprecision(4)
                  << p.valAccuracy << " +- " << p.valCi95 << ", loss " << p.valLoss
                  << (p.newBest ? "  (best)" : "") << "\n";
    }
    void onFinished(const TrainSummary&) override { m_printer.breakLine(); }

private:
    ProgressPrinter m_printer;
};

std::atomic<RunControl*> g_control{nullptr};

void onSigint(int)
{
    if (RunControl* c = g_control.load())
        c->cancel.store(true);
}

/// Ctrl-C (and SIGTERM, which the --nproc launcher sends when it stops) sets the cancel flag
/// for the lifetime of this object; a run then stops after saving.
struct SigintGuard {
    void (*previousInt)(int);
    void (*previousTerm)(int);
    explicit SigintGuard(RunControl& c)
    {
        g_control.store(&c);
        previousInt = std::signal(SIGINT, onSigint);
        previousTerm = std::signal(SIGTERM, onSigint);
    }
    ~SigintGuard()
    {
        std::signal(SIGINT, previousInt);
        std::signal(SIGTERM, previousTerm);
        g_control.store(nullptr);
    }
};

/// MAML++ LSLR: the learned inner learning rates, one row per adapted weight tensor.
void printInnerLrs(const InnerLrTable& t, double initial)
{
    if (t.empty())
        return;
    size_t width = 6;
    for (const auto& n : t.names)
        width = std::max(width, n.size());
    std::cout << "learned inner learning rates (LSLR; all started at " << std::defaultfloat << initial
              << "):\n  " << std::left << std::setw(static_cast<int>(width)) << "weight" << std::right;
    for (size_t k = 0; k < t.rates.front().size(); ++k)
        std::cout << std::setw(10) << ("step " + std::to_string(k + 1));
    std::cout << "\n" << std::fixed << std::setprecision(4);
    for (size_t i = 0; i < t.names.size(); ++i) {
        std::cout << "  " << std::left << std::setw(static_cast<int>(width)) << t.names[i] << std::right;
        for (double r : t.rates[i])
            std::cout << std::setw(10) << r;
        std::cout << "\n";
    }
}
} // namespace

int runTrainer(Trainer& trainer, bool quiet)
{
    RunControl control;
    SigintGuard guard(control);
    ProgressBar bar;
    const auto s = trainer.run(quiet ? nullptr : &bar, &control);
    if (quiet)
        return s.cancelled ? 130 : 0;
    std::cout << (s.cancelled ? "stopped" : "finished") << " at iteration " << s.iterationsDone << " of "
              << s.iterations << " in " << formatDuration(s.seconds) << "\n";
    if (s.iterationsDone > trainer.startIteration())
        std::cout << "last train loss " << std::fixed << std::setprecision(4) << s.lastTrainLoss
                  << ", accuracy " << s.lastTrainAccuracy << "\n";
    else
        std::cout << "no meta-iteration finished in this session\n" << std::fixed << std::setprecision(4);
    if (s.bestIteration >= 0)
        std::cout << "best validation accuracy " << s.bestValAccuracy << " +- " << s.bestValCi95
                  << " at iteration " << s.bestIteration << "\n";
    printInnerLrs(s.innerLrs, trainer.config().innerLr);
    std::cout << "checkpoints: " << s.lastCheckpoint
              << (s.bestCheckpoint.empty() ? "" : ", " + s.bestCheckpoint) << "\n";
    if (s.cancelled)
        std::cout << "continue with: maml-cli resume --run-dir " << s.runDir << "\n";
    return s.cancelled ? 130 : 0;
}

namespace {
struct TrainArgs {
    std::string preset, configFile, dataset, runDir;
    int64_t iterations = 0;
    int threads = -1;
    int64_t seed = -1;
    // The task and the inner and outer loops, over the preset or config (0: keep theirs)
    int ways = 0, shots = 0, queries = 0, metaBatch = 0, innerSteps = 0, innerStepsEval = 0;
    int filters = 0, valEvery = 0, valEpisodes = 0;
    double innerLr = 0, metaLr = 0;
    bool firstOrder = false, secondOrder = false;
    std::string batchNorm;
    // MAML++ parts switched on over the preset or config (each off unless given)
    bool lslr = false, multiStepLoss = false, perStepBn = false, cosineMetaLr = false;
    bool checkpointInnerSteps = false;
    int64_t firstOrderIterations = -1;
};

ExperimentConfig configFrom(const TrainArgs& a)
{
    if (!a.preset.empty() && !a.configFile.empty())
        throw Error("give either --preset or --config, not both", "maml-cli train");
    ExperimentConfig c = !a.configFile.empty() ? loadConfig(a.configFile)
                                               : preset(a.preset.empty() ? defaultPresetName() : a.preset);
    if (!a.dataset.empty())
        c.dataset = a.dataset;
    if (a.iterations > 0)
        c.iterations = a.iterations;
    if (a.threads >= 0)
        c.threads = a.threads;
    if (a.seed >= 0)
        c.seed = static_cast<uint64_t>(a.seed);
    auto keepOr = [](auto given, auto& field) {
        if (given > 0)
            field = given;
    };
    keepOr(a.ways, c.ways);
    keepOr(a.shots, c.shots);
    keepOr(a.queries, c.queries);
    keepOr(a.metaBatch, c.metaBatch);
    keepOr(a.innerSteps, c.innerStepsTrain);
    keepOr(a.innerStepsEval, c.innerStepsEval);
    keepOr(a.filters, c.filters);
    keepOr(a.valEvery, c.valEvery);
    keepOr(a.valEpisodes, c.valEpisodes);
    keepOr(a.innerLr, c.innerLr);
    keepOr(a.metaLr, c.metaLr);
    if (a.firstOrder || a.secondOrder)
        c.firstOrder = a.firstOrder;
    if (!a.batchNorm.empty())
        c.batchNorm = a.batchNorm;
    c.lslr = c.lslr || a.lslr;
    c.multiStepLoss = c.multiStepLoss || a.multiStepLoss;
    if (a.perStepBn)
        c.batchNorm = "per-step";
    c.cosineMetaLr = c.cosineMetaLr || a.cosineMetaLr;
    c.checkpointInnerSteps = c.checkpointInnerSteps || a.checkpointInnerSteps;
    if (a.firstOrderIterations >= 0)
        c.firstOrderIterations = a.firstOrderIterations;
    return c;
}

/// Every reason the experiment cannot run, at once, before a run folder is made; a test split
/// that cannot be sampled is only a note (training does not use it).
void checkBeforeTraining(const ExperimentConfig& config)
{
    const auto problems = checkExperiment(config);
    if (problems.empty()) {
        if (const auto note = testSplitNote(config); !note.empty())
            std::cerr << "Note: " << note << " (maml-cli eval --split " << config.valSplit << ")\n";
        return;
    }
    std::string list;
    for (const auto& p : problems)
        list += "\n  - " + p;
    // One problem per line; no "where" or hint after the list (they would trail its last line).
    throw Error("the experiment cannot run (change these settings or the data):" + list);
}

void addPresetsCommand(CLI::App& app)
{
    auto* cmd = app.add_subcommand("presets", "List the experiment presets with their settings");
    auto json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json, "Print the presets as JSON");
    cmd->callback([json] {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& p : presets()) {
            if (*json) {
                all.push_back(
                    {{"name", p.name}, {"description", p.description}, {"config", p.config.toJson()}});
                continue;
            }
            const auto& c = p.config;
            std::cout << p.name << (p.name == defaultPresetName() ? "  (default)" : "") << "\n  "
                      << p.description << "\n  " << c.dataset;
            if (dataKindOf(c.dataset) == DataKind::Text) {
                // The text model's settings; image size, channels and filters do not apply.
                const auto t = TransformerOptions::readConfig(c);
                std::cout << " sentences (" << c.trainSplit << " / " << c.valSplit << " / " << c.testSplit
                          << "), " << c.ways << "-way " << c.shots << "-shot " << c.queries << "-query, "
                          << c.model << " dModel " << t.dModel << ", " << t.heads << " heads, " << t.layers
                          << (t.layers == 1 ? " layer" : " layers") << ", ff " << t.ff << ", length "
                          << t.length << " tokens, " << t.head << " head, min. count " << t.minCount
                          << ", lexicon " << t.lexicon;
                if (t.lexicon != "none")
                    std::cout << " (" << t.lexiconDims << " dims)";
            } else {
                std::cout << " " << c.imageSize << "x" << c.imageSize << "x" << c.channels << ", " << c.ways
                          << "-way " << c.shots << "-shot " << c.queries << "-query, " << c.model << " "
                          << c.filters << " filters, BN " << c.batchNorm;
            }
            std::cout << ", inner " << c.innerStepsTrain << "/" << c.innerStepsEval << " steps lr "
                      << c.innerLr << ", Adam " << c.metaLr << ", meta-batch " << c.metaBatch << ", "
                      << c.iterations << " iterations, " << (c.firstOrder ? "first-order" : "second-order")
                      << (c.usesMamlpp() ? ", MAML++: " + c.mamlppSummary() : std::string())
                      << (c.checkpointInnerSteps ? ", inner steps recomputed in the backward pass" : "")
                      << "\n";
        }
        if (*json)
            std::cout << all.dump(2) << "\n";
    });
}

void addTrainCommand(CLI::App& app)
{
    auto a = std::make_shared<TrainArgs>();
    auto d = std::make_shared<DistArgs>();
    auto* cmd =
        app.add_subcommand("train", "Meta-train a model (Ctrl-C stops after saving; resume continues)");
    cmd->add_option("--preset", a->preset, "Preset name (see `maml-cli presets`; default glyphs-5w1s)");
    cmd->add_option("--config", a->configFile, "Experiment config JSON file");
    cmd->add_option("--dataset", a->dataset, "Override the dataset spec, e.g. omniglot:DIR");
    cmd->add_option("--iterations", a->iterations, "Override the number of meta-iterations");
    cmd->add_option("--threads", a->threads, "Torch threads (0 = all cores; at most the cores)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--seed", a->seed, "Override the seed");
    cmd->add_option("--run-dir", a->runDir, "Run directory (created)")->required();
    // The task, the model and the two loops: any of the preset's or config's settings
    cmd->add_option("--ways,-n", a->ways, "Override N: classes per task")->check(CLI::PositiveNumber);
    cmd->add_option("--shots,-k", a->shots, "Override K: support examples per class")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--queries,-q", a->queries, "Override the query examples per class")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--meta-batch", a->metaBatch, "Override the tasks per meta-update")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--inner-steps", a->innerSteps, "Override the inner steps in training")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--inner-steps-eval", a->innerStepsEval,
                    "Override the inner steps at validation, evaluation and adaptation")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--inner-lr", a->innerLr, "Override the inner learning rate")->check(CLI::PositiveNumber);
    cmd->add_option("--meta-lr", a->metaLr, "Override the meta (Adam) learning rate")
        ->check(CLI::PositiveNumber);
    auto* first = cmd->add_flag("--first-order", a->firstOrder, "First-order MAML (FOMAML)");
    cmd->add_flag("--second-order", a->secondOrder, "Second-order MAML (the full meta-gradient)")
        ->excludes(first);
    cmd->add_option("--filters", a->filters, "Override Conv-4's filters per layer")
        ->check(CLI::PositiveNumber);
    auto* bn =
        cmd->add_option("--batch-norm", a->batchNorm,
                        "BatchNorm statistics: batch (the query set's own), running, per-step (MAML++)")
            ->check(CLI::IsMember({"batch", "running", "per-step"}));
    cmd->add_option("--val-every", a->valEvery,
                    "Override: validate (and keep best.pt) every this many iterations")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--val-episodes", a->valEpisodes, "Override the episodes of each validation")
        ->check(CLI::PositiveNumber);
    // MAML++ (Antoniou et al. 2019; docs/engine.md), each part on its own
    cmd->add_flag("--lslr", a->lslr, "MAML++: learn a per-layer, per-step inner learning rate");
    cmd->add_flag("--multi-step-loss", a->multiStepLoss,
                  "MAML++: the query loss after every inner step, annealed");
    cmd->add_flag("--per-step-bn", a->perStepBn, "MAML++: per-step BatchNorm weights and running statistics")
        ->excludes(bn);
    cmd->add_flag("--cosine-meta-lr", a->cosineMetaLr, "MAML++: cosine annealing of the meta learning rate");
    cmd->add_option("--first-order-iterations", a->firstOrderIterations,
                    "MAML++ derivative-order annealing: first order for this many iterations")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag(
        "--checkpoint-inner-steps", a->checkpointInnerSteps,
        "Second order: recompute inner steps in the backward pass (memory independent of the steps)");
    addDistOptions(cmd, *d);
    cmd->callback([a, d] {
        if (launchesWorkers(*d))
            launchAndExit(*d, a->runDir);
        const auto dist = resolveDist(*d);
        const ExperimentConfig config = configFrom(*a);
        if (dist.rank == 0)
            checkBeforeTraining(config);
        if (dist.distributed()) {
            trainAsRank(dist, a->runDir, config.toJson(), a->threads,
                        [&](const RunRole& role) { return Trainer::startRun(config, a->runDir, role); });
            return;
        }
        auto trainer = Trainer::startRun(config, a->runDir);
        if (runTrainer(trainer) != 0)
            throw Cancelled(); // exit code 130 after the summary
    });
}

void addResumeCommand(CLI::App& app)
{
    auto dir = std::make_shared<std::string>();
    auto iterations = std::make_shared<int64_t>(0);
    auto threads = std::make_shared<int>(-1);
    auto d = std::make_shared<DistArgs>();
    auto* cmd = app.add_subcommand("resume", "Continue a stopped training run");
    cmd->add_option("--run-dir", *dir, "Run directory of `maml-cli train`")->required();
    cmd->add_option("--iterations", *iterations, "New total number of iterations (default: the run's)");
    cmd->add_option("--threads", *threads,
                    "Torch threads of this session (0 = all cores; default: the run's)");
    addDistOptions(cmd, *d);
    cmd->callback([dir, iterations, threads, d] {
        if (launchesWorkers(*d))
            launchAndExit(*d, *dir);
        const auto dist = resolveDist(*d);
        if (dist.distributed()) {
            trainAsRank(dist, *dir, nullptr, *threads,
                        [&](const RunRole& role) { return Trainer::resumeRun(*dir, *iterations, role); });
            return;
        }
        RunRole role;
        role.threads = *threads;
        auto trainer = Trainer::resumeRun(*dir, *iterations, role);
        if (runTrainer(trainer) != 0)
            throw Cancelled(); // exit code 130 after the summary
    });
}
} // namespace

void registerEngineCommands(CLI::App& app)
{
    addPresetsCommand(app);
    addTrainCommand(app);
    addResumeCommand(app);
    addEvalCommand(app);
    addAdaptCommand(app);
    addExportCommand(app);
    addCurveCommand(app);
}

} // namespace maml::cli
