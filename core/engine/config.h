#pragma once
/// \file
/// ExperimentConfig: every setting of a MAML experiment, as stored in a run's config.json and
/// inside every checkpoint. Free of torch, so GUI headers may include it.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace maml {

struct EpisodeSpec;

/// One experiment. Defaults are the `glyphs-5w1s` preset's.
struct ExperimentConfig {
    // --- data ---
    std::string dataset = "glyphs"; ///< dataset spec, e.g. "glyphs", "omniglot:DIR", "cifar100"
    int imageSize = 28;             ///< images are resized to imageSize x imageSize
    int channels = 1;               ///< 1 or 3
    bool rotations = false;         ///< Omniglot: rotated copies as extra classes
    std::string trainSplit = "train", valSplit = "val", testSplit = "test";
    /// Optional explicit class names per split; when non-empty they replace the split's classes.
    std::vector<std::string> trainClasses, valClasses, testClasses;
    /// Cap on meta-training images: each training class keeps its first
    /// trainImages / (number of training classes) images. 0 = all images.
    int trainImages = 0;

    // --- episodes ---
    int ways = 5;     ///< N
    int shots = 1;    ///< K (support images per class)
    int queries = 15; ///< Q (query images per class)

    // --- model ---
    std::string model = "conv4"; ///< "conv4" (images); other models register themselves
    int filters = 64;            ///< Conv-4: 32 or 64
    /// "batch" (MAML: batch statistics at train and test, so test queries are normalised
    /// together), "running" (running statistics at test time) or "per-step" (MAML++, Conv-4
    /// only: BatchNorm weights, biases and running statistics per inner step; queries scored
    /// with the step's running statistics, one independent of another)
    std::string batchNorm = "batch";

    // --- meta-learning ---
    int innerStepsTrain = 1;    ///< inner SGD steps during meta-training
    int innerStepsEval = 3;     ///< inner SGD steps at validation / test / adaptation
    double innerLr = 0.4;       ///< inner-loop SGD learning rate (alpha)
    double metaLr = 1e-3;       ///< Adam learning rate (beta)
    int metaBatch = 32;         ///< tasks per meta-update
    int64_t iterations = 60000; ///< meta-updates
    bool firstOrder = false;    ///< true: FOMAML (drops second-order terms)
    double gradClip = 10.0;     ///< clip the meta-gradient's global L2 norm; 0 = off
    uint64_t seed = 1;
    int threads = 0; ///< torch intra-op threads; 0 = all cores
    /// Training processes the workbench starts on this machine (maml-cli train --nproc; the
    /// CLI itself takes --nproc). Rank-local like threads: not part of a distributed check.
    int processes = 1;
    std::string device = "cpu"; ///< "cpu" or "cuda" (if the LibTorch build has it)

    // --- MAML++ (Antoniou et al. 2019, "How to train your MAML"); every part off by default ---
    /// LSLR: a learnable inner learning rate per adapted weight tensor and inner step, starting
    /// at inner_lr. Evaluation steps beyond inner_steps_train use the last step's rates.
    bool lslr = false;
    /// Multi-step loss: the query loss after every inner step, weighted; the weights anneal from
    /// uniform towards the last step over multiStepLossIterations, then only the last counts.
    bool multiStepLoss = false;
    int64_t multiStepLossIterations = 1000;
    /// Derivative-order annealing: the first firstOrderIterations iterations are first order,
    /// the rest second order (0 = off).
    int64_t firstOrderIterations = 0;
    /// Cosine annealing of meta_lr over the run's iterations down to metaLrMin.
    bool cosineMetaLr = false;
    double metaLrMin = 1e-5;
    /// Second-order runs: keep only each inner step's weights and recompute the step's graph
    /// in the meta-backward (memory independent of the inner steps; costs time).
    bool checkpointInnerSteps = false;

    // --- validation / evaluation ---
    int valEvery = 500;     ///< validate and write checkpoints every this many iterations
    int valEpisodes = 100;  ///< episodes per validation
    int evalEpisodes = 600; ///< default episodes of `eval`
    int logEvery = 10;      ///< metrics.jsonl gets a train line every this many iterations
    /// checkpoints/last.pt is also written when this many minutes passed since it was last
    /// written (0 = only at validations, on stop and at the end), so a crash loses little work.
    double checkpointMinutes = 5;

    // --- the study's batch layout (informational; see docs/engine.md for the mapping) ---
    int outerBatch = 0, numTask = 0, innerBatch = 0, epochs = 0;

    /// Model- or data-specific settings (e.g. the text model's layers, a tokenizer vocabulary).
    nlohmann::json extra = nlohmann::json::object();

    nlohmann::json toJson() const;
    /// Missing keys keep their defaults; unknown keys or wrong types -> maml::Error naming them.
    static ExperimentConfig fromJson(const nlohmann::json& j);
    // Upper bounds validate() enforces: far above any sensible experiment, low enough that a
    // mistyped or hostile value cannot ask for gigabytes or hours before failing.
    static constexpr int kMaxWays = 1000, kMaxShots = 1000, kMaxSteps = 1000, kMaxMetaBatch = 1024;
    static constexpr int kMaxEpisodes = 1000000;
    static constexpr int64_t kMaxIterations = 1000000000;
    static constexpr double kMaxParameters = 100e6; ///< Conv-4 parameters (weights only)

    /// Human-readable problems (empty when the config is usable).
    std::vector<std::string> validate() const;
    /// Throws maml::Error listing every problem validate() finds.
    void validateOrThrow(const std::string& where = "experiment config") const;

    /// Whether any MAML++ part is on.
    bool usesMamlpp() const;
    /// The MAML++ parts that are on, e.g. "LSLR, multi-step loss, per-step BN" (empty: none).
    std::string mamlppSummary() const;

    /// N, K, Q as an episode spec.
    EpisodeSpec episodeSpec() const;
    /// The explicit class list of a split name ("train"/"val"/"test" of this config), or empty.
    const std::vector<std::string>& explicitClasses(const std::string& split) const;
};

/// Reads a config file (JSON); throws maml::Error naming the file on bad JSON or keys.
ExperimentConfig loadConfig(const std::string& path);

} // namespace maml
