#include "core/cli/cli.h"
#include <CLI/CLI.hpp>
namespace maml::cli {
void registerDataCommands(CLI::App& app) {}
}
