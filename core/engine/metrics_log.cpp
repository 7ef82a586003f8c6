#include "core/engine/metrics_log.h"

#include "core/util/atomic_file.h"
#include "core/util/error.h"

#include <fstream>
#include <spdlog/spdlog.h>

#include <cerrno>
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
    std::vector<nlohmann::json> records;
    std::ifstream in(m_file);
    std::string line;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (j.is_object())
            records.push_back(std::move(j));
    }
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
