#include "core/cli/cli.h"
#include <CLI/CLI.hpp>
namespace maml::cli {
void registerEngineCommands(CLI::App& app) {}
}
