#include "core/engine/metrics_log.h"

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_limits.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace maml {

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
