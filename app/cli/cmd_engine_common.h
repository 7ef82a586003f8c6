#pragma once
// Shared by the engine subcommands of maml-cli (cmd_engine*.cpp).

#include <string>

namespace CLI {
class App;
}

namespace maml::cli {

void addEvalCommand(CLI::App& app);   ///< maml-cli eval
void addAdaptCommand(CLI::App& app);  ///< maml-cli adapt
void addExportCommand(CLI::App& app); ///< maml-cli export

/// "1h02m", "3m07s", "12.3s".
std::string formatDuration(double seconds);

} // namespace maml::cli
