#include "core/engine/evaluator.h"

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

    void add(int episode, const Episode& e, const torch::Tensor& predicted)
    {
        const auto pred = predicted.accessor<int64_t, 1>();
        const auto truth = e.queryY.cpu();
        const auto y = truth.accessor<int64_t, 1>();
        for (int64_t q = 0; q < pred.size(0); ++q) {
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
    Misclassified wrongItem(int episode, const Episode& e, int64_t q, int64_t predLabel) const
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
                           InnerLoop* baseline, int maxMisclassified)
{
    const auto start = std::chrono::steady_clock::now();
    EvalResult r;
    const auto spec = source.spec();
    r.ways = spec.ways;
    r.shots = spec.shots;
    r.queries = spec.queries;
    r.steps = steps;
    ClassTally tally(source, r, maxMisclassified);
    std::vector<double> losses, baselineLosses;
    auto stream = source.stream(seed, 0, 1);
    // Episodes are scored side by side on the task-parallel workers (one operator thread each:
    // a few-shot episode's operators are too small to split), a chunk at a time so that
    // progress, pause and cancel stay responsive; results are tallied in episode order.
    const bool parallel = useTaskParallel(learner, 2) && (!baseline || useTaskParallel(*baseline, 2));
    const int chunk = parallel ? 2 * torch::get_num_threads() : 1;
    for (int first = 0; first < episodes && !r.cancelled; first += chunk) {
        waitWhilePaused(control);
        const int n = std::min(chunk, episodes - first);
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
            r.episodeAccuracies.push_back(scores[i].accuracy);
            losses.push_back(scores[i].loss);
            tally.add(first + i, batch[i], scores[i].predicted);
            if (baseline) {
                r.baselineEpisodeAccuracies.push_back(baselineScores[i].accuracy);
                baselineLosses.push_back(baselineScores[i].loss);
            }
            if (progress)
                progress(
                    {first + i + 1, episodes, mean(r.episodeAccuracies), mean(r.baselineEpisodeAccuracies)});
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
    InnerLoop learner(loaded.model, learnerOptions(config)); // scoring needs no optimizer
    std::unique_ptr<InnerLoop> baseline;
    if (options.baseline) {
        // The baseline's initialisation is seeded, so it is the same network on every run.
        torch::manual_seed(deriveSeed(config.seed, 0xba5e));
        baseline = std::make_unique<InnerLoop>(makeModel(config), learnerOptions(config));
    }
    const int episodes = options.episodes > 0 ? options.episodes : config.evalEpisodes;
    const int steps = options.steps >= 0 ? options.steps : config.innerStepsEval;
    auto r = evaluateLearner(learner, *source, episodes, steps, options.seed, progress, control,
                             baseline.get(), options.maxMisclassified);
    if (options.baseline && !r.cancelled)
        r.referenceBaselines = source->referenceBaselines(r.episodes, options.seed);
    r.dataset = config.dataset;
    r.split = options.split;
    return r;
}

} // namespace maml
