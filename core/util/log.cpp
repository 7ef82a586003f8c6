#include "core/util/log.h"

#include "core/util/xdg_paths.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <mutex>

namespace maml {
namespace fs = std::filesystem;

namespace {
std::mutex g_mutex;
std::map<std::string, spdlog::sink_ptr> g_extraSinks;

spdlog::sink_ptr makeFileSink(const fs::path& file)
{
    try {
        fs::create_directories(file.parent_path());
        auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string());
        sink->set_level(spdlog::level::debug);
        return sink;
    } catch (const std::exception& e) {
        std::cerr << "warning: cannot write the log file " << file << ": " << e.what()
                  << " (logging to the console only)\n";
        return nullptr;
    }
}
} // namespace

fs::path defaultLogFile()
{
    return xdgAppDir("XDG_STATE_HOME", ".local/state", "state") / "maml.log";
}

void initLogging(const fs::path& logFile, const std::string& consoleLevel)
{
    std::lock_guard lock(g_mutex);
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(spdlog::level::from_str(consoleLevel));
    console->set_pattern("%^%l%$: %v");
    std::vector<spdlog::sink_ptr> sinks{console};
    if (auto file = makeFileSink(logFile))
        sinks.push_back(file);
    for (auto& [_, s] : g_extraSinks)
        sinks.push_back(s);
    auto logger = std::make_shared<spdlog::logger>("maml", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::debug);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

void addLogFile(const fs::path& logFile)
{
    std::lock_guard lock(g_mutex);
    auto sink = makeFileSink(logFile);
    if (!sink)
        return;
    g_extraSinks[logFile.string()] = sink;
    spdlog::default_logger()->sinks().push_back(sink);
}

void removeLogFile(const fs::path& logFile)
{
    std::lock_guard lock(g_mutex);
    auto it = g_extraSinks.find(logFile.string());
    if (it == g_extraSinks.end())
        return;
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), it->second), sinks.end());
    g_extraSinks.erase(it);
}

} // namespace maml
