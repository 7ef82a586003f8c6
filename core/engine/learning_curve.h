#pragma once
/// \file
/// A run's validation curve read back from its metrics.jsonl: accuracy against iteration and
/// wall-clock, the best point, and when the run first reached a given accuracy
/// (`maml-cli curve`, docs/cifar.md).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace maml {

struct CurvePoint {
    int64_t iteration = 0;
    double seconds = 0;    ///< training wall-clock up to this validation, resumes included
    double cpuSeconds = 0; ///< process CPU time up to it (0 in runs that did not log it)
    double accuracy = 0;
    double ci95 = 0;
    double loss = 0;
};

struct LearningCurve {
    std::vector<CurvePoint> validation; ///< in iteration order
    int64_t lastIteration = 0;          ///< of the last metrics line
    double lastSeconds = 0;
    double meanTrainAccuracy = 0; ///< over the last (up to) 10% of the train lines
    int trainLines = 0;

    /// The highest validation accuracy (the earliest of equals); empty without validations.
    std::optional<CurvePoint> best() const;
    /// The first validation at or above `accuracy`; empty if the run never got there.
    std::optional<CurvePoint> firstReaching(double accuracy) const;
    /// Where the curve flattens: the first validation whose running mean over `window`
    /// validations comes within `points` (accuracy, 0.01 = one point) of the highest running
    /// mean of the run; later training bought less than that. Empty without validations, and
    /// when that validation is the last one (the curve may still be rising).
    std::optional<CurvePoint> flattening(int window = 3, double points = 0.01) const;
    /// At most `rows` validations spread evenly over the curve, always with the first, the best
    /// and the last.
    std::vector<CurvePoint> thinned(int rows) const;
};

/// Reads `runDir`/metrics.jsonl. Throws maml::Error naming the folder when there is no metrics
/// file there.
LearningCurve readLearningCurve(const std::filesystem::path& runDir);

} // namespace maml
