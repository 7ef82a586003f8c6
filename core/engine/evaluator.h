#pragma once
/// \file
/// The adapt-then-score evaluation of the literature: M seeded episodes (identical across runs
/// and checkpoints), adapt on the support set for S steps, score the query set; the mean
/// accuracy and loss with a 95% confidence interval, beside a no-meta-learning baseline (the
/// same network freshly initialised, adapted the same way on the same episodes).
/// No torch in this header.

#include "core/engine/config.h"
#include "core/engine/progress.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace maml {

class Collective;
class InnerLoop;
class TaskSource;

/// Default base seed of evaluation episodes: episode i has seed deriveSeed(kEvalSeed, i).
constexpr uint64_t kEvalSeed = 0x6d616d6c65766131ULL;

struct EvalOptions {
    std::string dataset;         ///< empty: the checkpoint's dataset; else e.g. "omniglot:DIR"
    std::string split = "test";  ///< "test", "val", "train", "all" (every class of the dataset)
    int episodes = 0;            ///< 0: the config's evalEpisodes (600 by default)
    int steps = -1;              ///< inner steps; -1: the config's innerStepsEval
    bool baseline = true;        ///< also evaluate the freshly initialised network
    uint64_t seed = kEvalSeed;   ///< base seed of the episodes
    int threads = -1;            ///< -1: the config's threads
    int maxMisclassified = 1000; ///< cap on the list of wrong query items kept
    /// Normalise the query set with its own batch statistics (transductive, as MAML's and
    /// MAML++'s own code scores) although the checkpoint was trained with running or per-step
    /// statistics; EvalResult::batchNorm then says "batch" or "per-step-batch". Ignored for a
    /// checkpoint in the "batch" mode (it does so already); a model without BatchNorm -> Error.
    bool queryBatchStatistics = false;
    /// Distributed (core/dist): the episodes are split over the ranks of this collective and
    /// every rank gets the whole result (see evaluateLearner).
    Collective* collective = nullptr;
};

/// One line saying how a BatchNorm mode treats the query set (for reports).
std::string describeBatchNorm(const std::string& mode);

/// Whether EvalOptions::queryBatchStatistics changes how a checkpoint trained with `config`
/// scores: it was trained with running or per-step statistics and its model (asked, not
/// guessed from the name) can normalise with the query set's own. Builds a fresh model.
bool queryStatisticsApply(const ExperimentConfig& config);

/// Mean and 95% confidence interval (1.96 * sample std / sqrt(n)) of per-episode values.
struct MeanCi {
    double mean = 0;
    double ci95 = 0;
};
MeanCi meanCi95(const std::vector<double>& values);

/// A query item the adapted model got wrong.
struct Misclassified {
    int episode = 0;
    int trueClass = 0; ///< dataset class index
    std::string trueName;
    int index = 0;          ///< index of the item within its class
    int predictedClass = 0; ///< dataset class index of the predicted label
    std::string predictedName;
    std::string source; ///< file / record / sentence the item comes from
};

/// A baseline that needs no network, scored on the evaluator's own episodes (for text: the
/// AFINN-165 lexicon). TaskSource::referenceBaselines supplies them.
struct ReferenceBaseline {
    std::string key;   ///< --json prefix: KEY_accuracy, KEY_ci95 (e.g. "afinn")
    std::string label; ///< e.g. "AFINN-165"
    MeanCi accuracy;
    std::string note;  ///< how it decides, one short line
    std::string error; ///< non-empty: it could not run (the evaluation itself stands)
    nlohmann::json extra = nlohmann::json::object(); ///< further --json keys
};

struct EvalResult {
    int episodes = 0, ways = 0, shots = 0, queries = 0, steps = 0;
    std::string dataset, split;
    /// How BatchNorm normalised the query set: "batch" (the query set's own statistics:
    /// transductive), "running", "per-step" (the adaptation step's running statistics: each
    /// query on its own), "per-step-batch" (the step's BatchNorm weights with the query set's
    /// statistics: EvalOptions::queryBatchStatistics), or empty for a model without BatchNorm.
    std::string batchNorm;
    MeanCi accuracy, loss; ///< meta-learned model
    bool hasBaseline = false;
    MeanCi baselineAccuracy, baselineLoss; ///< fresh initialisation, adapted the same way
    std::vector<double> episodeAccuracies, baselineEpisodeAccuracies;
    /// Per dataset class of the pool: name, query items seen, accuracy on them.
    std::vector<std::string> classNames;
    std::vector<int> classCounts;
    std::vector<double> classAccuracy;
    /// confusion[t][p]: query items of pool class t predicted as pool class p (indices into
    /// classNames). Empty when the pool has more than kMaxConfusionClasses classes.
    std::vector<std::vector<int>> confusion;
    std::vector<Misclassified> misclassified; ///< the first EvalOptions::maxMisclassified of them
    long misclassifiedTotal = 0;              ///< all wrong query items (misclassified may hold fewer)
    long queryItems = 0;                      ///< query items scored
    /// Baselines of the data itself (with the network baseline, when it was asked for).
    std::vector<ReferenceBaseline> referenceBaselines;
    double seconds = 0;
    bool cancelled = false; ///< stopped early: the numbers cover `episodes` episodes

    static constexpr int kMaxConfusionClasses = 200;
    /// The CLI's --json object: accuracy, ci95, loss, loss_ci95, baseline_accuracy,
    /// baseline_ci95, baseline_loss, episodes, ways, shots, queries, steps, dataset, split,
    /// batch_norm, seconds, per_class, misclassified (first 100) and confusion (when present).
    nlohmann::json toJson() const;
};

using EvalProgressCallback = std::function<void(const EvalProgress&)>;

/// Evaluates a checkpoint (its config, optionally another dataset of the same image shape).
EvalResult evaluateCheckpoint(const std::filesystem::path& checkpoint, const EvalOptions& options,
                              const EvalProgressCallback& progress = {}, RunControl* control = nullptr);

/// Evaluates `learner` on `episodes` episodes of `source` (no baseline). Used for validation.
/// With a `collective`, each rank scores a contiguous share of the episodes (shareOf in
/// task_range.h), the per-episode outcomes are exchanged with one all-reduce, and every rank
/// returns the result one process would (episode for episode; `control` is then ignored and
/// progress counts this rank's share).
EvalResult evaluateLearner(InnerLoop& learner, const TaskSource& source, int episodes, int steps,
                           uint64_t seed, const EvalProgressCallback& progress = {},
                           RunControl* control = nullptr, InnerLoop* baseline = nullptr,
                           int maxMisclassified = 0, Collective* collective = nullptr);

} // namespace maml
