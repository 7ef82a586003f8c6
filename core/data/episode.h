#pragma once
/// \file
/// N-way K-shot Q-query episodes, batches of them, and a background prefetcher.

#include "core/data/dataset.h"

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace maml {

struct EpisodeSpec {
    int ways = 5;     ///< N
    int shots = 1;    ///< K support examples per class
    int queries = 15; ///< Q query examples per class
};

/// One few-shot task. Episode label e (0..N-1) stands for dataset class classes[e];
/// labels are a random permutation of the chosen classes, drawn per episode.
/// The x tensors are images [n, C, H, W] (float) for image datasets or token ids
/// [n, L] (int64) for text; the y tensors are int64 [n] episode labels.
struct Episode {
    torch::Tensor supportX, supportY;    ///< N*K examples, class-major (all of label 0, then 1, ...)
    torch::Tensor queryX, queryY;        ///< N*Q examples, class-major
    std::vector<int> classes;            ///< dataset class index of each episode label
    std::vector<std::string> classNames; ///< name of each episode label
    /// (dataset class, index within class) of every support / query example, same order as x.
    std::vector<std::pair<int, int>> supportItems, queryItems;
    int ways() const { return static_cast<int>(classes.size()); }
};

/// Draws episodes from a pool of classes of one dataset. The same seed gives the same
/// episode, byte for byte, on every run and platform (it uses its own RNG arithmetic, not
/// std::shuffle or std::uniform_int_distribution, whose results vary between libraries).
class EpisodeSampler {
public:
    /// Throws maml::Error if the request is impossible: fewer than N classes in the pool, or a
    /// class with fewer than K+Q images (the message names the class and its image count).
    EpisodeSampler(const ImageDataset& dataset, std::vector<int> classPool, EpisodeSpec spec);

    const ImageDataset& dataset() const { return m_dataset; }
    const std::vector<int>& classPool() const { return m_pool; }
    const EpisodeSpec& spec() const { return m_spec; }

    /// The episode for `seed`. Thread-safe.
    Episode sample(uint64_t seed) const;
    /// A plain meta-batch: `count` episodes, seeds derived from `seed`.
    std::vector<Episode> sampleBatch(uint64_t seed, int count) const;
    /// Episodes begin..end-1 of sampleBatch(seed, count) (for any count >= end), alone.
    std::vector<Episode> sampleRange(uint64_t seed, int begin, int end) const;

private:
    const ImageDataset& m_dataset;
    std::vector<int> m_pool;
    EpisodeSpec m_spec;
};

/// The study's batch layout: x of shape [outer_batch, num_task, inner_batch, N*K, C, H, W]
/// (support) and [outer_batch, num_task, inner_batch, N*Q, C, H, W] (query); the y tensors
/// have the same leading dimensions without C, H, W.
struct StudyBatch {
    torch::Tensor supportX, supportY, queryX, queryY;
};
StudyBatch sampleStudyBatch(const EpisodeSampler& sampler, uint64_t seed, int outerBatch, int numTask,
                            int innerBatch);

/// Seed of the i-th item derived from a base seed (SplitMix64); used by batches, the
/// prefetcher and evaluation so that episode i is the same everywhere.
uint64_t deriveSeed(uint64_t base, uint64_t index);

/// Samples meta-batches on a background thread, `depth` batches ahead, so that sampling and
/// decoding never stall training. Batch i equals sampler.sampleBatch(deriveSeed(seed, i), count),
/// or with taskBegin/taskEnd only its episodes taskBegin..taskEnd-1 (one process's share of a
/// distributed meta-batch; taskEnd -1 = batchSize).
class EpisodePrefetcher {
public:
    EpisodePrefetcher(const EpisodeSampler& sampler, uint64_t seed, int batchSize, uint64_t firstBatch = 0,
                      int depth = 4, int taskBegin = 0, int taskEnd = -1);
    ~EpisodePrefetcher();
    EpisodePrefetcher(const EpisodePrefetcher&) = delete;
    EpisodePrefetcher& operator=(const EpisodePrefetcher&) = delete;

    /// The next meta-batch (blocks only if the worker is behind). Rethrows a sampling error.
    std::vector<Episode> next();
    /// Seconds next() spent waiting for the worker so far (to measure stalls).
    double waitedSeconds() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace maml
