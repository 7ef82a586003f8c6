#pragma once
/// \file
/// The maml-cli command line (CLI11). app/cli/main.cpp only calls runCli.

namespace CLI {
class App;
}

#include <string>
#include <vector>

namespace maml::cli {

/// Thrown by a subcommand to end maml-cli with this exit code (after its own messages).
struct ExitWith {
    int code = 0;
};

/// The program's arguments after its name, as runCli received them (for the --nproc launcher).
const std::vector<std::string>& originalArguments();

/// Parses the arguments, runs the chosen subcommand, returns the process exit code.
/// Errors (maml::Error) are printed as "error: <message>" and give exit code 1;
/// usage errors give exit code 2.
int runCli(int argc, char** argv);

// Each subcommand group registers itself on the app (one file per group in app/cli/).
void registerDataCommands(CLI::App& app);   ///< datasets, sample, fetch
void registerEngineCommands(CLI::App& app); ///< presets, train, resume, eval, adapt, export

} // namespace maml::cli
