#pragma once
// Shared by the engine subcommands of maml-cli (cmd_engine*.cpp).

#include <string>

namespace CLI {
class App;
}

namespace maml {
class Trainer;
}

namespace maml::cli {

void addEvalCommand(CLI::App& app);   ///< maml-cli eval
void addAdaptCommand(CLI::App& app);  ///< maml-cli adapt
void addExportCommand(CLI::App& app); ///< maml-cli export
void addCurveCommand(CLI::App& app);  ///< maml-cli curve

/// Runs a training run with Ctrl-C (and SIGTERM) as a cancel, the progress bar on stderr and
/// a summary on stdout (both left out when `quiet`). Returns 0, or 130 when it was cancelled.
int runTrainer(Trainer& trainer, bool quiet = false);

/// "1h02m", "3m07s", "12.3s".
std::string formatDuration(double seconds);

} // namespace maml::cli
