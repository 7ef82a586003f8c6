#pragma once
/// \file
/// Where episodes come from: an abstract TaskSource (images, text, ...) and a registry of
/// factories keyed by dataset spec, so a new kind of data plugs in by adding a file.

#include "core/data/episode.h"
#include "core/engine/config.h"
#include "core/engine/data_kind.h"
#include "core/engine/evaluator.h"
#include "core/engine/task_range.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace maml {

/// A stream of meta-batches; batch i is always TaskSource::batch(seed, i, size).
class BatchStream {
public:
    virtual ~BatchStream() = default;
    virtual std::vector<Episode> next() = 0;
};

/// A deterministic source of N-way K-shot episodes over one split's classes.
class TaskSource {
public:
    virtual ~TaskSource() = default;
    /// The episode for `seed` (same seed -> same episode on every run).
    virtual Episode sample(uint64_t seed) const = 0;
    virtual EpisodeSpec spec() const = 0;
    /// Names of the classes of the pool, indexed by the dataset class index used in
    /// Episode::classes (so the evaluator can name classes in confusion matrices).
    virtual std::vector<std::string> datasetClassNames() const = 0;
    /// The classes episodes are drawn from (dataset class indices).
    virtual std::vector<int> classPool() const = 0;
    /// Where item (cls, index) comes from (a file path, a record number, a sentence).
    virtual std::string itemSource(int cls, int index) const { return {}; }
    /// One line for logs, e.g. "glyphs test split: 200 classes, 5-way 1-shot 15-query".
    virtual std::string describe() const = 0;
    /// Baselines of the data that need no network (none by default), scored on the episodes
    /// sample(deriveSeed(seed, i)), i < episodes: the evaluator's own.
    virtual std::vector<ReferenceBaseline> referenceBaselines(int episodes, uint64_t seed) const
    {
        return {};
    }

    /// Meta-batch `index` of a run with base seed `seed`: `count` episodes with seeds
    /// deriveSeed(deriveSeed(seed, index), j), j = 0..count-1.
    std::vector<Episode> batch(uint64_t seed, uint64_t index, int count) const;
    /// Batches firstBatch, firstBatch+1, ... The default samples on the caller's thread;
    /// image sources prefetch on a background thread (same episodes either way).
    std::unique_ptr<BatchStream> stream(uint64_t seed, uint64_t firstBatch, int count) const
    {
        return stream(seed, firstBatch, count, TaskRange{0, count});
    }
    /// The same batches, but only their episodes tasks.begin..tasks.end-1 (one process's share
    /// of a distributed meta-batch); the others are never sampled.
    virtual std::unique_ptr<BatchStream> stream(uint64_t seed, uint64_t firstBatch, int count,
                                                TaskRange tasks) const;
};

/// Creates the task source of a split ("train", "val", "test", "all", or any split name the
/// dataset knows) for `config` (its dataset spec, image size, N/K/Q, explicit class lists).
/// Throws maml::Error when the dataset cannot be opened or the request is impossible.
std::shared_ptr<TaskSource> makeTaskSource(const ExperimentConfig& config, const std::string& split);

/// What stops `split` of `config` from giving tasks, in words (the sampler's own message, e.g.
/// "class 'rose' has 20 images; K + Q = 25"); empty when it can. Throws maml::Error when the
/// data cannot be opened at all. What checkExperiment() asks of every split.
std::string splitProblem(const ExperimentConfig& config, const std::string& split);

/// Throws maml::Error saying plainly that the kinds differ when `spec` is not the kind of data
/// the checkpoint's `config` was trained on (e.g. an image checkpoint on text:FILE).
void checkSameDataKind(const ExperimentConfig& config, const std::string& spec, const std::string& where);

/// A factory for the dataset specs it accepts (`accepts(config.dataset)`).
struct TaskSourceFactory {
    std::string name; ///< for messages, e.g. "images", "text"
    std::function<bool(const std::string& spec)> accepts;
    std::function<std::shared_ptr<TaskSource>(const ExperimentConfig&, const std::string& split)> make;
    /// What its tasks hold; models trained on them read the same (see dataKindOf()).
    DataKind kind = DataKind::Images;
    /// Optional: splitProblem() for this data, without the costly parts of `make` (e.g. the
    /// text vocabulary). Without it, splitProblem() calls `make` and reports its maml::Error.
    std::function<std::string(const ExperimentConfig&, const std::string& split)> splitProblem;
};
/// Registers a factory (under factory.name; the same name replaces it); later registrations
/// are tried first. The image factory ("images": every spec openDataset knows) is tried last.
void registerTaskSourceFactory(TaskSourceFactory factory);

} // namespace maml
