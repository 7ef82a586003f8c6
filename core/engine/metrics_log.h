#pragma once
/// \file
/// A run's metrics.jsonl: one JSON object per line (iteration, train loss/accuracy,
/// validation loss/accuracy/ci95, seconds).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <vector>

namespace maml {

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
