#include "core/engine/metrics_log.h"

#include "core/engine/config.h"

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_limits.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cmath>
#include <fstream>
#include <sstream>

namespace maml {
namespace {

double number(const nlohmann::json& o, const char* key, bool* found = nullptr)
{
    const auto it = o.find(key);
    const bool ok = it != o.end() && it->is_number();
    if (found)
        *found = ok;
    return ok ? it->get<double>() : 0.0;
}

} // namespace

std::optional<MetricsRecord> parseMetricsRecord(const nlohmann::json& o)
{
    if (!o.is_object())
        return std::nullopt;
    const auto within = [](double x, double low, double high) {
        return std::isfinite(x) && x >= low && x <= high;
    };
    const double iteration = number(o, "iteration");
    if (!within(iteration, 0, double(ExperimentConfig::kMaxIterations)))
        return std::nullopt;
    MetricsRecord r;
    r.iteration = static_cast<int64_t>(iteration);
    r.seconds = number(o, "seconds");
    r.cpuSeconds = number(o, "cpu_seconds");
    bool loss = false, accuracy = false;
    r.trainLoss = number(o, "train_loss", &loss);
    r.trainAccuracy = number(o, "train_accuracy", &accuracy);
    r.hasTrain = loss || accuracy;
    r.valLoss = number(o, "val_loss");
    r.valAccuracy = number(o, "val_accuracy", &r.hasValidation);
    r.valCi95 = number(o, "val_ci95");
    if (!within(r.trainAccuracy, 0, 1) || !within(r.valAccuracy, 0, 1) || !within(r.valCi95, 0, 1) ||
        !within(r.trainLoss, -1e12, 1e12) || !within(r.valLoss, -1e12, 1e12) || !within(r.seconds, 0, 1e10) ||
        !within(r.cpuSeconds, 0, 1e10))
        return std::nullopt;
    return r;
}

MetricsLog::MetricsLog(std::filesystem::path file) : m_file(std::move(file)) {}

void MetricsLog::append(const nlohmann::json& record)
{
    std::ofstream out(m_file, std::ios::app);
    out << record.dump() << '\n';
    out.flush();
    if (!out) {
        const int err = errno; // what the failed write(2) left (streams keep no error code of their own)
        throw Error(err == ENOSPC || err == EDQUOT ? "the disk is full: cannot append to the metrics file"
                                                   : "cannot append to the metrics file",
                    m_file.string(), "Check the disk space and permissions");
    }
}

std::vector<nlohmann::json> MetricsLog::read() const
{
    // A line is at most kMaxLine bytes and nested a few levels: a hand-edited or damaged file
    // can neither fill the memory nor, later, overflow the stack.
    constexpr size_t kMaxLine = size_t(1) << 20;
    const JsonLimits limits{16, kMaxLine};
    std::vector<nlohmann::json> records;
    int skipped = 0;
    auto finish = [&](const std::string& line, bool tooLong) {
        if (tooLong) {
            ++skipped;
            return;
        }
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            return;
        try {
            auto j = parseJsonText(line, m_file.string(), limits);
            if (j.is_object())
                records.push_back(std::move(j));
            else
                ++skipped;
        } catch (const Error&) {
            ++skipped; // e.g. a half-written last line
        }
    };
    std::ifstream in(m_file, std::ios::binary);
    std::string line;
    bool tooLong = false;
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        for (std::streamsize i = 0; i < in.gcount(); ++i) {
            const char c = buffer[i];
            if (c == '\n') {
                finish(line, tooLong);
                line.clear();
                tooLong = false;
            } else if (!tooLong) {
                line += c;
                if (line.size() > kMaxLine) {
                    tooLong = true;
                    line.clear();
                }
            }
        }
    }
    finish(line, tooLong);
    if (skipped > 0)
        spdlog::warn("{}: skipped {} line(s) that are not metrics records", m_file.string(), skipped);
    return records;
}

void MetricsLog::truncateAfter(int64_t iteration)
{
    if (!std::filesystem::exists(m_file))
        return;
    std::ostringstream kept;
    for (const auto& r : read())
        if (r.value("iteration", int64_t{0}) <= iteration)
            kept << r.dump() << '\n';
    writeFileAtomic(m_file, kept.str());
}

} // namespace maml
