#pragma once
/// \file
/// A run's metrics.jsonl: one JSON object per line (iteration, train loss/accuracy,
/// validation loss/accuracy/ci95, seconds).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace maml {

/// The numbers of one metrics.jsonl record, as a trainer writes them.
struct MetricsRecord {
    int64_t iteration = 0;
    double seconds = 0;    ///< cumulative training wall-clock, resumes included
    double cpuSeconds = 0; ///< cumulative process CPU time (all threads), resumes included; 0 if absent
    bool hasTrain = false; ///< the record has a "train_loss" or a "train_accuracy"
    double trainLoss = 0;
    double trainAccuracy = 0;   ///< 0 when absent
    bool hasValidation = false; ///< the record has a "val_accuracy"
    double valLoss = 0;
    double valAccuracy = 0;
    double valCi95 = 0;
};

/// The record's numbers, or empty when they are not values a trainer can write (an iteration
/// outside [0, ExperimentConfig::kMaxIterations], an accuracy or CI outside [0, 1], a loss or
/// time that is not finite or of absurd size): a hand-edited or damaged line must reach neither
/// the charts nor `maml-cli curve`. A key that is absent or not a number reads as 0.
std::optional<MetricsRecord> parseMetricsRecord(const nlohmann::json& record);

class MetricsLog {
public:
    explicit MetricsLog(std::filesystem::path file);

    /// Appends one line (the file is created if needed).
    void append(const nlohmann::json& record);
    /// Drops every line whose "iteration" is greater than `iteration` (rewritten atomically),
    /// so a resumed run's metrics continue exactly where its checkpoint left off.
    void truncateAfter(int64_t iteration);
    /// All records (malformed lines, e.g. a half-written last line, are skipped).
    std::vector<nlohmann::json> read() const;

private:
    std::filesystem::path m_file;
};

} // namespace maml
