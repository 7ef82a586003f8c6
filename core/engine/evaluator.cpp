#include "core/engine/evaluator.h"

#include "core/dist/collective.h"
#include "core/dist/episode_outcomes.h"
#include "core/engine/checkpoint.h"
#include "core/engine/meta_learner.h"
#include "core/engine/model_factory.h"
#include "core/engine/task_parallel_meta.h"
#include "core/engine/task_source.h"
#include "core/engine/threads.h"
#include "core/util/error.h"

#include <chrono>
#include <cmath>
#include <map>
#include <thread>

namespace maml {

namespace {
/// Per-class tallies, the confusion matrix and the misclassified items of an evaluation.
class ClassTally {
public:
    ClassTally(const TaskSource& source, EvalResult& result, int maxMisclassified)
        : m_source(source), m_result(result), m_max(maxMisclassified)
    {
        const auto names = source.datasetClassNames();
        const auto pool = source.classPool();
        for (size_t i = 0; i < pool.size(); ++i) {
            m_index[pool[i]] = static_cast<int>(i);
            result.classNames.push_back(names.at(pool[i]));
        }
        result.classCounts.assign(pool.size(), 0);
        m_correct.assign(pool.size(), 0);
        if (static_cast<int>(pool.size()) <= EvalResult::kMaxConfusionClasses)
            result.confusion.assign(pool.size(), std::vector<int>(pool.size(), 0));
    }

    void add(int episode, const EpisodeOutcome& e)
    {
        const auto& pred = e.predicted;
        const auto& y = e.truth;
        for (size_t q = 0; q < pred.size(); ++q) {
            const int t = m_index.at(e.classes.at(y[q]));
            const int p = m_index.at(e.classes.at(pred[q]));
            ++m_result.classCounts[t];
            ++m_result.queryItems;
            if (!m_result.confusion.empty())
                ++m_result.confusion[t][p];
            if (t == p) {
                ++m_correct[t];
                continue;
            }
            ++m_result.misclassifiedTotal;
            if (static_cast<int>(m_result.misclassified.size()) < m_max)
                m_result.misclassified.push_back(wrongItem(episode, e, q, pred[q]));
        }
    }

    void finish()
    {
        m_result.classAccuracy.resize(m_correct.size());
        for (size_t i = 0; i < m_correct.size(); ++i)
            m_result.classAccuracy[i] =
                m_result.classCounts[i] ? double(m_correct[i]) / m_result.classCounts[i] : 0.0;
    }

private:
    Misclassified wrongItem(int episode, const EpisodeOutcome& e, size_t q, int64_t predLabel) const
    {
        Misclassified m;
        m.episode = episode;
        m.trueClass = e.queryItems.at(q).first;
        m.index = e.queryItems.at(q).second;
        m.trueName = m_result.classNames[m_index.at(m.trueClass)];
        m.predictedClass = e.classes.at(predLabel);
        m.predictedName = m_result.classNames[m_index.at(m.predictedClass)];
        m.source = m_source.itemSource(m.trueClass, m.index);
        return m;
    }

    const TaskSource& m_source;
    EvalResult& m_result;
    int m_max;
    std::map<int, int> m_index; ///< dataset class -> index in the pool
    std::vector<int> m_correct;
};

double mean(const std::vector<double>& v)
{
    double s = 0;
    for (double x : v)
        s += x;
    return v.empty() ? 0.0 : s / v.size();
}

void waitWhilePaused(const RunControl* control)
{
    while (control && control->pause.load() && !control->cancelled())
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

/// What the tallies keep of a scored episode.
EpisodeOutcome outcomeOf(const Episode& e, const TaskScore& s, const TaskScore* b)
{
    EpisodeOutcome o;
    o.accuracy = s.accuracy;
    o.loss = s.loss;
    if (b) {
        o.baselineAccuracy = b->accuracy;
        o.baselineLoss = b->loss;
    }
    o.classes = e.classes;
    const auto truth = e.queryY.cpu().contiguous();
    const auto predicted = s.predicted.contiguous();
    o.truth.assign(truth.data_ptr<int64_t>(), truth.data_ptr<int64_t>() + truth.numel());
    o.predicted.assign(predicted.data_ptr<int64_t>(), predicted.data_ptr<int64_t>() + predicted.numel());
    o.queryItems = e.queryItems;
    return o;
}

/// Switches `model` to normalise with the query set's own statistics where `config` trained it
/// with running or per-step ones. False where that changes nothing: batch mode already, or a model
/// without BatchNorm.
bool switchToQueryStatistics(FunctionalModel& model, const ExperimentConfig& config)
{
    return config.batchNorm != "batch" && model.setTestBatchStatistics(true);
}

} // namespace

MeanCi meanCi95(const std::vector<double>& values)
{
    MeanCi r;
    const size_t n = values.size();
    if (n == 0)
        return r;
    r.mean = mean(values);
    if (n < 2)
        return r;
    double ss = 0;
    for (double x : values)
        ss += (x - r.mean) * (x - r.mean);
    r.ci95 = 1.96 * std::sqrt(ss / (n - 1)) / std::sqrt(double(n));
    return r;
}

EvalResult evaluateLearner(InnerLoop& learner, const TaskSource& source, int episodes, int steps,
                           uint64_t seed, const EvalProgressCallback& progress, RunControl* control,
                           InnerLoop* baseline, int maxMisclassified, Collective* collective)
{
    const auto start = std::chrono::steady_clock::now();
    EvalResult r;
    const auto spec = source.spec();
    r.ways = spec.ways;
    r.shots = spec.shots;
    r.queries = spec.queries;
    r.steps = steps;
    const TaskRange mine =
        collective ? shareOf(episodes, collective->rank(), collective->worldSize()) : TaskRange{0, episodes};
    if (collective)
        control = nullptr; // every rank scores its whole share: a cancel would leave the others waiting
    std::vector<EpisodeOutcome> outcomes(episodes);
    double accSum = 0, baseSum = 0;
    int done = 0;
    auto stream = source.stream(seed, static_cast<uint64_t>(mine.begin), 1);
    r.batchNorm = learner.model().architecture().value("batch_norm", "");
    // Episodes are scored side by side on the task-parallel workers (one operator thread each:
    // a few-shot episode's operators are too small to split), a chunk at a time so that
    // progress, pause and cancel stay responsive; results are kept by episode index.
    const bool parallel = useTaskParallel(learner, 2) && (!baseline || useTaskParallel(*baseline, 2));
    const int chunk = parallel ? 2 * torch::get_num_threads() : 1;
    for (int first = mine.begin; first < mine.end && !r.cancelled; first += chunk) {
        waitWhilePaused(control);
        const int n = std::min(chunk, mine.end - first);
        std::vector<Episode> batch;
        std::vector<TaskScore> scores(n), baselineScores(n);
        try {
            if (control && control->cancelled())
                throw Cancelled();
            for (int i = 0; i < n; ++i)
                batch.push_back(stream->next().front());
            runEach(learner, static_cast<size_t>(n), [&](size_t i) {
                scores[i] = learner.score(batch[i], steps, control);
                if (baseline)
                    baselineScores[i] = baseline->score(batch[i], steps, control);
            });
        } catch (const Cancelled&) {
            r.cancelled = true;
            break;
        }
        for (int i = 0; i < n; ++i) {
            outcomes[first + i] = outcomeOf(batch[i], scores[i], baseline ? &baselineScores[i] : nullptr);
            ++done;
            accSum += scores[i].accuracy;
            baseSum += baselineScores[i].accuracy;
            if (progress)
                progress({done, mine.size(), accSum / done, baseline ? baseSum / done : 0.0});
        }
    }
    if (collective)
        gatherOutcomes(*collective, outcomes, mine, spec.ways, spec.ways * spec.queries);
    else
        outcomes.resize(done);
    ClassTally tally(source, r, maxMisclassified);
    std::vector<double> losses, baselineLosses;
    for (size_t i = 0; i < outcomes.size(); ++i) {
        r.episodeAccuracies.push_back(outcomes[i].accuracy);
        losses.push_back(outcomes[i].loss);
        tally.add(static_cast<int>(i), outcomes[i]);
        if (baseline) {
            r.baselineEpisodeAccuracies.push_back(outcomes[i].baselineAccuracy);
            baselineLosses.push_back(outcomes[i].baselineLoss);
        }
    }
    tally.finish();
    r.episodes = static_cast<int>(r.episodeAccuracies.size());
    r.accuracy = meanCi95(r.episodeAccuracies);
    r.loss = meanCi95(losses);
    r.hasBaseline = baseline != nullptr;
    r.baselineAccuracy = meanCi95(r.baselineEpisodeAccuracies);
    r.baselineLoss = meanCi95(baselineLosses);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

bool queryStatisticsApply(const ExperimentConfig& config)
{
    return switchToQueryStatistics(*makeModel(config), config);
}

EvalResult evaluateCheckpoint(const std::filesystem::path& checkpoint, const EvalOptions& options,
                              const EvalProgressCallback& progress, RunControl* control)
{
    auto loaded = loadModel(checkpoint);
    ExperimentConfig config = loaded.info.config;
    if (!options.dataset.empty() && options.dataset != config.dataset) {
        checkSameDataKind(config, options.dataset, checkpoint.string());
        config.dataset = options.dataset;
        config.trainClasses.clear();
        config.valClasses.clear();
        config.testClasses.clear();
    }
    applyThreads(options.threads >= 0 ? options.threads : config.threads);
    const auto source = makeTaskSource(config, options.split);
    const bool queryBatch = options.queryBatchStatistics && config.batchNorm != "batch";
    if (queryBatch && !switchToQueryStatistics(*loaded.model, config))
        throw Error("this checkpoint's model (" + config.model +
                        ") has no BatchNorm to normalise the query set with its own statistics",
                    checkpoint.string(), "Evaluate it without --batch-norm batch");
    InnerLoop learner(loaded.model, learnerOptions(config)); // scoring needs no optimizer
    std::unique_ptr<InnerLoop> baseline;
    if (options.baseline) {
        // The baseline's initialisation is seeded, so it is the same network on every run.
        torch::manual_seed(deriveSeed(config.seed, 0xba5e));
        auto model = makeModel(config);
        if (queryBatch)
            switchToQueryStatistics(*model, config);
        baseline = std::make_unique<InnerLoop>(model, learnerOptions(config));
    }
    const int episodes = options.episodes > 0 ? options.episodes : config.evalEpisodes;
    const int steps = options.steps >= 0 ? options.steps : config.innerStepsEval;
    auto r = evaluateLearner(learner, *source, episodes, steps, options.seed, progress, control,
                             baseline.get(), options.maxMisclassified, options.collective);
    const bool writer = !options.collective || options.collective->rank() == 0;
    if (options.baseline && !r.cancelled && writer) // no network: rank 0 alone
        r.referenceBaselines = source->referenceBaselines(r.episodes, options.seed);
    if (queryBatch)
        r.batchNorm = config.batchNorm == "per-step" ? "per-step-batch" : "batch";
    r.dataset = config.dataset;
    r.split = options.split;
    return r;
}

} // namespace maml
