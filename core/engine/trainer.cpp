#include "core/engine/trainer.h"

#include "core/engine/checkpoint.h"
#include "core/engine/config_preparer.h"
#include "core/engine/eta.h"
#include "core/engine/evaluator.h"
#include "core/engine/meta_learner.h"
#include "core/engine/metrics_log.h"
#include "core/engine/model_factory.h"
#include "core/engine/task_source.h"
#include "core/engine/threads.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/run_lock.h"

#include <chrono>
#include <cmath>
#include <thread>

#include <sys/resource.h>

namespace maml {

namespace fs = std::filesystem;

namespace {
/// Validation episodes are the same at every validation of every run.
const uint64_t kValSeed = deriveSeed(kEvalSeed, 1);

/// Adds the run's log file to the logger for the lifetime of a run() call.
struct ScopedLogFile {
    fs::path file;
    explicit ScopedLogFile(fs::path f) : file(std::move(f)) { addLogFile(file); }
    ~ScopedLogFile() { removeLogFile(file); }
};

double secondsSince(std::chrono::steady_clock::time_point t)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// CPU time of the whole process (every thread), user + system, in seconds. Beside the wall
/// clock it tells how much of a run's time was its own on a machine shared with other work.
double processCpuSeconds()
{
    struct rusage u {};
    ::getrusage(RUSAGE_SELF, &u);
    auto sec = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
    };
    return sec(u.ru_utime) + sec(u.ru_stime);
}
} // namespace

struct Trainer::Impl {
    ExperimentConfig config;
    RunPaths paths;
    int64_t start = 0;
    double secondsBefore = 0;    ///< wall time of earlier sessions of this run
    double cpuSecondsBefore = 0; ///< process CPU time of earlier sessions of this run
    double cpuAtStart = 0;       ///< processCpuSeconds() when this session's run() began
    std::shared_ptr<TaskSource> train, val;
    std::shared_ptr<FunctionalModel> model;
    std::unique_ptr<MetaLearner> learner;
    CheckpointInfo best;           ///< bestValAccuracy / bestIteration of the run so far
    std::unique_ptr<RunLock> lock; ///< held from startRun/resumeRun until the Trainer goes
    int64_t savedIteration = 0;    ///< iteration of the last last.pt written
    std::chrono::steady_clock::time_point lastSave;

    void build()
    {
        applyThreads(config.threads);
        train = makeTaskSource(config, config.trainSplit);
        val = makeTaskSource(config, config.valSplit);
        torch::manual_seed(config.seed);
        model = makeModel(config);
        learner = std::make_unique<MetaLearner>(model, learnerOptions(config));
    }

    CheckpointInfo info(int64_t iteration, double seconds) const
    {
        CheckpointInfo i = best;
        i.config = config;
        i.iteration = iteration;
        i.extra = best.extra;
        i.extra["seconds"] = seconds;
        i.extra["cpu_seconds"] = cpuSecondsBefore + processCpuSeconds() - cpuAtStart;
        return i;
    }

    void save(const fs::path& path, int64_t iteration, double seconds, TrainObserver* observer)
    {
        saveCheckpoint(path, *model, &learner->optimizer(), info(iteration, seconds));
        if (path == paths.last()) {
            savedIteration = iteration;
            lastSave = std::chrono::steady_clock::now();
        }
        if (observer)
            observer->onCheckpoint(path.string(), iteration);
    }

    void validate(TrainProgress& p, double seconds, TrainObserver* observer, RunControl* control);
    TrainSummary run(TrainObserver* observer, RunControl* control);
};

void Trainer::Impl::validate(TrainProgress& p, double seconds, TrainObserver* observer, RunControl* control)
{
    const auto r =
        evaluateLearner(*learner, *val, config.valEpisodes, config.innerStepsEval, kValSeed, {}, control);
    if (r.cancelled)
        throw Cancelled();
    p.hasValidation = true;
    p.valLoss = r.loss.mean;
    p.valAccuracy = r.accuracy.mean;
    p.valCi95 = r.accuracy.ci95;
    p.newBest = r.accuracy.mean > best.bestValAccuracy;
    if (p.newBest) {
        best.bestValAccuracy = r.accuracy.mean;
        best.bestIteration = p.iteration;
        best.extra = {{"val_ci95", r.accuracy.ci95}};
        save(paths.best(), p.iteration, seconds, observer);
    }
    spdlog::info("iteration {}: train loss {:.4f} acc {:.3f} | val loss {:.4f} acc {:.3f} +- {:.3f}{}",
                 p.iteration, p.trainLoss, p.trainAccuracy, p.valLoss, p.valAccuracy, p.valCi95,
                 p.newBest ? " (best)" : "");
}

TrainSummary Trainer::Impl::run(TrainObserver* observer, RunControl* control)
{
    ScopedLogFile log(paths.log());
    applyThreads(config.threads);
    MetricsLog metrics(paths.metrics());
    const auto t0 = std::chrono::steady_clock::now();
    cpuAtStart = processCpuSeconds();
    TrainSummary s;
    s.runDir = paths.dir.string();
    s.iterations = config.iterations;
    s.iterationsDone = start;
    savedIteration = start; // last.pt holds `start` (resumed from it, or written just below)
    lastSave = std::chrono::steady_clock::now();
    if (observer)
        observer->onStart(start, config.iterations);
    if (!fs::exists(paths.last()))
        save(paths.last(), start, secondsBefore,
             observer); // a NaN before the first validation still leaves a state
    spdlog::info("training {} from iteration {} of {}: {}", paths.dir.string(), start, config.iterations,
                 train->describe());
    auto stream = train->stream(config.seed, static_cast<uint64_t>(start), config.metaBatch);
    EtaEstimator eta(config.iterations, config.valEvery);
    for (int64_t it = start; it < config.iterations; ++it) {
        while (control && control->pause.load() && !control->cancelled())
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        MetaStepResult r;
        try {
            if (control && control->cancelled())
                throw Cancelled();
            const auto stepStart = std::chrono::steady_clock::now();
            r = learner->metaStep(stream->next(), control);
            eta.addStep(secondsSince(stepStart));
        } catch (const Cancelled&) {
            s.cancelled = true;
            break;
        }
        if (!r.finite) {
            const std::string what = std::isnan(r.loss) || std::isnan(r.gradNorm) ? "NaN" : "infinite";
            spdlog::error("the training loss became {} at iteration {}", what, it + 1);
            throw Error(
                "the training loss became " + what + " at iteration " + std::to_string(it + 1),
                paths.dir.string(),
                "Lower inner_lr or meta_lr, or set grad_clip. checkpoints/last.pt keeps the last good state "
                "(iteration " +
                    std::to_string(savedIteration) + ")");
        }
        s.iterationsDone = it + 1;
        s.lastTrainLoss = r.loss;
        s.lastTrainAccuracy = r.accuracy;
        TrainProgress p;
        p.iteration = it + 1;
        p.iterations = config.iterations;
        p.trainLoss = r.loss;
        p.trainAccuracy = r.accuracy;
        p.elapsedSeconds = secondsSince(t0);
        p.itersPerSecond = 1.0 / std::max(1e-9, eta.secondsPerStep()); // training speed, validations apart
        const bool validateNow = p.iteration % config.valEvery == 0 || p.iteration == config.iterations;
        const double total = secondsBefore + p.elapsedSeconds;
        if (validateNow) {
            const auto validationStart = std::chrono::steady_clock::now();
            try {
                validate(p, total, observer, control);
            } catch (const Cancelled&) {
                s.cancelled = true;
            }
            eta.addValidation(secondsSince(validationStart));
        }
        p.etaSeconds = eta.remainingSeconds(p.iteration);
        if (p.iteration % config.logEvery == 0 || p.hasValidation) {
            nlohmann::json line = {{"iteration", p.iteration},
                                   {"train_loss", p.trainLoss},
                                   {"train_accuracy", p.trainAccuracy},
                                   {"seconds", total},
                                   {"cpu_seconds", cpuSecondsBefore + processCpuSeconds() - cpuAtStart}};
            if (p.hasValidation)
                line.update(
                    {{"val_loss", p.valLoss}, {"val_accuracy", p.valAccuracy}, {"val_ci95", p.valCi95}});
            metrics.append(line);
        }
        const bool due =
            config.checkpointMinutes > 0 && secondsSince(lastSave) >= 60 * config.checkpointMinutes;
        if ((validateNow || due) && !s.cancelled)
            save(paths.last(), p.iteration, total, observer);
        if (observer) {
            observer->onIteration(p);
            if (p.hasValidation)
                observer->onValidation(p);
        }
        if (s.cancelled)
            break;
    }
    s.seconds = secondsSince(t0);
    if (s.cancelled)
        save(paths.last(), s.iterationsDone, secondsBefore + s.seconds, observer);
    s.bestValAccuracy = best.bestValAccuracy;
    s.bestIteration = best.bestIteration;
    s.bestValCi95 = best.extra.value("val_ci95", 0.0);
    s.lastCheckpoint = paths.last().string();
    s.bestCheckpoint = fs::exists(paths.best()) ? paths.best().string() : std::string();
    spdlog::info("{} at iteration {} after {:.1f} s", s.cancelled ? "stopped" : "finished", s.iterationsDone,
                 s.seconds);
    if (observer)
        observer->onFinished(s);
    return s;
}

Trainer::Trainer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Trainer::~Trainer() = default;
Trainer::Trainer(Trainer&&) noexcept = default;
Trainer& Trainer::operator=(Trainer&&) noexcept = default;

Trainer Trainer::startRun(const ExperimentConfig& config, const fs::path& runDir)
{
    config.validateOrThrow();
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    prepareConfig(impl->config); // e.g. the text module's vocabulary, kept in every checkpoint
    impl->paths.dir = runDir;
    const auto refuseExisting = [&] {
        if (fs::exists(impl->paths.config()))
            throw Error("this folder already holds a run", runDir.string(),
                        "Continue it with `maml-cli resume --run-dir " + runDir.string() +
                            "` or choose a new folder");
    };
    if (fs::exists(impl->paths.config())) {
        RunLock probe(runDir, "train"); // a run being trained right now: say by whom
    }
    refuseExisting();
    impl->build();
    fs::create_directories(runDir / "checkpoints");
    impl->lock = std::make_unique<RunLock>(runDir, "train");
    refuseExisting(); // another trainer may have started this run while the data was opened
    writeFileAtomic(impl->paths.config(), impl->config.toJson().dump(2) + "\n");
    std::error_code ec;
    fs::remove(impl->paths.metrics(), ec);
    return Trainer(std::move(impl));
}

Trainer Trainer::resumeRun(const fs::path& runDir, int64_t iterations)
{
    auto impl = std::make_unique<Impl>();
    impl->paths.dir = runDir;
    if (!fs::exists(impl->paths.config()))
        throw Error("no run here (config.json is missing)", runDir.string(),
                    "Start one with `maml-cli train`");
    impl->lock = std::make_unique<RunLock>(runDir, "resume");
    impl->config = loadConfig(impl->paths.config().string());
    if (iterations > 0 && fs::exists(impl->paths.last())) {
        const int64_t done = readCheckpointInfo(impl->paths.last()).iteration;
        if (iterations < done)
            throw Error("the run is already at iteration " + std::to_string(done) + ", so --iterations " +
                            std::to_string(iterations) + " would end it before where it is",
                        runDir.string(),
                        "Give a total of at least " + std::to_string(done) +
                            " iterations, or leave --iterations out; nothing was changed");
    }
    const bool longer = iterations > 0 && iterations != impl->config.iterations;
    if (longer)
        impl->config.iterations = iterations;
    impl->config.validateOrThrow(impl->paths.config().string());
    if (longer)
        writeFileAtomic(impl->paths.config(), impl->config.toJson().dump(2) + "\n");
    impl->build();
    if (fs::exists(impl->paths.last())) {
        const auto info = loadCheckpoint(impl->paths.last(), *impl->model, &impl->learner->optimizer(), true);
        impl->start = info.iteration;
        impl->best.bestValAccuracy = info.bestValAccuracy;
        impl->best.bestIteration = info.bestIteration;
        impl->secondsBefore = info.extra.value("seconds", 0.0);
        impl->cpuSecondsBefore = info.extra.value("cpu_seconds", 0.0);
    }
    if (fs::exists(impl->paths.best()))
        impl->best.extra = readCheckpointInfo(impl->paths.best()).extra;
    MetricsLog(impl->paths.metrics()).truncateAfter(impl->start);
    return Trainer(std::move(impl));
}

const ExperimentConfig& Trainer::config() const
{
    return m_impl->config;
}
const RunPaths& Trainer::paths() const
{
    return m_impl->paths;
}
int64_t Trainer::startIteration() const
{
    return m_impl->start;
}

TrainSummary Trainer::run(TrainObserver* observer, RunControl* control)
{
    return m_impl->run(observer, control);
}

} // namespace maml
