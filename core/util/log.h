#pragma once
/// \file
/// Logging set-up: spdlog to the console and to a log file.

#include <filesystem>
#include <string>

namespace maml {

/// Default log file: $XDG_STATE_HOME/maml-workbench/maml.log (~/.local/state/... when unset).
std::filesystem::path defaultLogFile();

/// Installs the default logger "maml" writing to stderr (level `consoleLevel`, e.g. "info",
/// "warn") and to `logFile` (always "debug"). Safe to call more than once; the last call wins.
/// A log file that cannot be opened is reported on stderr and skipped, never fatal.
void initLogging(const std::filesystem::path& logFile, const std::string& consoleLevel = "info");

/// Adds a further file sink (e.g. a run directory's log) to the default logger.
void addLogFile(const std::filesystem::path& logFile);

/// Removes the file sink added by addLogFile for this path (if any).
void removeLogFile(const std::filesystem::path& logFile);

} // namespace maml
