#include "core/engine/trainer.h"

#include "core/dist/collective.h"
#include "core/dist/run_sync.h"
#include "core/engine/checkpoint.h"
#include "core/engine/config_preparer.h"
#include "core/engine/eta.h"
#include "core/engine/evaluator.h"
#include "core/engine/meta_learner.h"
#include "core/engine/metrics_log.h"
#include "core/engine/model_factory.h"
#include "core/engine/schedule.h"
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
    RunRole role;
    std::unique_ptr<RunSync> sync; ///< distributed runs only

    Collective* dist() const { return role.collective.get(); }
    /// Alone, or rank 0: the process that writes the run folder.
    bool writer() const { return !dist() || dist()->rank() == 0; }
    int threads() const { return role.threads >= 0 ? role.threads : config.threads; }
    TaskRange share() const
    {
        return dist() ? shareOf(config.metaBatch, dist()->rank(), dist()->worldSize())
                      : TaskRange{0, config.metaBatch};
    }
    double startupTimeout() const { return std::max(role.startupTimeoutSeconds, dist()->timeoutSeconds()); }

    void setRole(const RunRole& r)
    {
        role = r;
        if (role.collective)
            sync = std::make_unique<RunSync>(role.collective);
    }

    void build()
    {
        if (sync)
            sync->checkConfig(config);
        applyThreads(threads());
        train = makeTaskSource(config, config.trainSplit);
        val = makeTaskSource(config, config.valSplit);
        torch::manual_seed(config.seed);
        model = makeModel(config);
        learner = std::make_unique<MetaLearner>(model, learnerOptions(config));
        if (dist())
            learner->setCollective(role.collective, config.metaBatch);
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
        if (!writer())
            return;
        // Only last.pt is resumed from: best.pt (and any other) is for evaluating, adapting and
        // exporting, and leaves out the optimizer state (two tensors per weight with Adam).
        const bool resumable = path == paths.last();
        saveCheckpoint(path, *model, resumable ? &learner->optimizer() : nullptr, info(iteration, seconds));
        if (resumable) {
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
    if (dist())
        dist()->setStep("the validation at iteration " + std::to_string(p.iteration));
    const auto r = evaluateLearner(*learner, *val, config.valEpisodes, config.innerStepsEval, kValSeed, {},
                                   control, nullptr, 0, dist());
    if (r.cancelled)
        throw Cancelled();
    p.hasValidation = true;
    p.innerLrs = model->innerLearningRateTable();
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
    ScopedLogFile log(writer() ? paths.log() : paths.rankLog(dist()->rank()));
    applyThreads(threads());
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
    if (writer() && !fs::exists(paths.last()))
        save(paths.last(), start, secondsBefore,
             observer); // a NaN before the first validation still leaves a state
    spdlog::info("training {} from iteration {} of {}: {}", paths.dir.string(), start, config.iterations,
                 train->describe());
    if (dist()) {
        spdlog::info("rank {} of {}: tasks {}..{} of each meta-batch of {}, {} torch threads", dist()->rank(),
                     dist()->worldSize(), share().begin, share().end - 1, config.metaBatch, threads());
        dist()->setStep("start-up (every rank opening the data)");
        dist()->barrier("ready", startupTimeout());
    }
    auto stream = train->stream(config.seed, static_cast<uint64_t>(start), config.metaBatch, share());
    EtaEstimator eta(config.iterations, config.valEvery);
    for (int64_t it = start; it < config.iterations; ++it) {
        // Distributed, pausing or stopping alone would leave the other ranks waiting: a cancel
        // travels with the next all-reduce instead (MetaStepResult::stopRequested).
        while (!dist() && control && control->pause.load() && !control->cancelled())
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        MetaStepResult r;
        try {
            if (!dist() && control && control->cancelled())
                throw Cancelled();
            if (dist())
                dist()->setStep("meta-iteration " + std::to_string(it + 1));
            // MAML++'s schedule depends on the iteration only, so a resumed run gets the same.
            learner->applySchedule(scheduleAt(config, it));
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
        p.metaLr = learner->options().metaLr;
        p.elapsedSeconds = secondsSince(t0);
        p.itersPerSecond = 1.0 / std::max(1e-9, eta.secondsPerStep()); // training speed, validations apart
        const bool validateNow = p.iteration % config.valEvery == 0 || p.iteration == config.iterations;
        const double total = secondsBefore + p.elapsedSeconds;
        if (validateNow) {
            if (sync)
                sync->agreeOnState(p.iteration, *model, learner->optimizer(), info(p.iteration, total));
            const auto validationStart = std::chrono::steady_clock::now();
            try {
                validate(p, total, observer, control);
            } catch (const Cancelled&) {
                s.cancelled = true;
            }
            eta.addValidation(secondsSince(validationStart));
        }
        p.etaSeconds = eta.remainingSeconds(p.iteration);
        if (writer() && (p.iteration % config.logEvery == 0 || p.hasValidation)) {
            nlohmann::json line = {{"iteration", p.iteration},
                                   {"train_loss", p.trainLoss},
                                   {"train_accuracy", p.trainAccuracy},
                                   {"seconds", total},
                                   {"cpu_seconds", cpuSecondsBefore + processCpuSeconds() - cpuAtStart}};
            if (config.cosineMetaLr)
                line["meta_lr"] = p.metaLr;
            if (p.hasValidation)
                line.update(
                    {{"val_loss", p.valLoss}, {"val_accuracy", p.valAccuracy}, {"val_ci95", p.valCi95}});
            if (dist()) // rank 0's time inside the all-reduces so far (bench/bench_dist.py)
                line["allreduce_seconds"] = dist()->allReduceSeconds();
            if (!p.innerLrs.empty())
                line["inner_lrs"] = {{"names", p.innerLrs.names}, {"rates", p.innerLrs.rates}};
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
        if (r.stopRequested)
            s.cancelled = true;
        if (s.cancelled)
            break;
    }
    s.seconds = secondsSince(t0);
    if (s.cancelled)
        save(paths.last(), s.iterationsDone, secondsBefore + s.seconds, observer);
    s.bestValAccuracy = best.bestValAccuracy;
    s.bestIteration = best.bestIteration;
    s.bestValCi95 = best.extra.value("val_ci95", 0.0);
    s.innerLrs = model->innerLearningRateTable();
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

Trainer Trainer::startRun(const ExperimentConfig& config, const fs::path& runDir, const RunRole& role)
{
    config.validateOrThrow();
    auto impl = std::make_unique<Impl>();
    impl->setRole(role);
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
    if (impl->sync)
        impl->sync->publishConfig(impl->config);
    impl->build();
    fs::create_directories(runDir / "checkpoints");
    impl->lock = std::make_unique<RunLock>(runDir, "train");
    refuseExisting(); // another trainer may have started this run while the data was opened
    writeFileAtomic(impl->paths.config(), impl->config.toJson().dump(2) + "\n");
    std::error_code ec;
    fs::remove(impl->paths.metrics(), ec);
    if (impl->sync)
        impl->sync->publishStart(*impl->model, impl->learner->optimizer(), impl->info(0, 0));
    return Trainer(std::move(impl));
}

Trainer Trainer::joinRun(const fs::path& runDir, const RunRole& role)
{
    if (!role.collective || role.collective->rank() == 0)
        throw Error("joinRun is for the ranks other than 0 of a distributed run", "Trainer::joinRun");
    auto impl = std::make_unique<Impl>();
    impl->setRole(role);
    impl->paths.dir = runDir;
    impl->config = impl->sync->fetchConfig(impl->startupTimeout());
    impl->build();
    fs::create_directories(runDir);
    const auto info =
        impl->sync->receiveStart(*impl->model, impl->learner->optimizer(), impl->startupTimeout());
    impl->start = info.iteration;
    impl->best.bestValAccuracy = info.bestValAccuracy;
    impl->best.bestIteration = info.bestIteration;
    return Trainer(std::move(impl));
}

Trainer Trainer::resumeRun(const fs::path& runDir, int64_t iterations, const RunRole& role)
{
    auto impl = std::make_unique<Impl>();
    impl->setRole(role);
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
    if (impl->sync)
        impl->sync->publishConfig(impl->config);
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
    if (impl->sync)
        impl->sync->publishStart(*impl->model, impl->learner->optimizer(),
                                 impl->info(impl->start, impl->secondsBefore));
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
