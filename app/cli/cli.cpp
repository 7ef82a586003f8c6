#include "app/cli/cli.h"

#include "core/util/build_info.h"
#include "core/util/error.h"
#include "core/util/log.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

namespace maml::cli {

namespace {
std::vector<std::string> g_arguments;
}

const std::vector<std::string>& originalArguments()
{
    return g_arguments;
}

int runCli(int argc, char** argv)
{
    g_arguments.assign(argv + 1, argv + argc);
    // Named, so that --help shows "maml-cli", not the path it was started from.
    CLI::App app{"maml-cli: few-shot learning with MAML, from the command line", "maml-cli"};
    app.set_version_flag("--version", versionText("maml-cli"));
    app.require_subcommand(1);
    std::string logLevel = "info";
    app.add_option("--log-level", logLevel, "Console log level: debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
    app.parse_complete_callback([&] { initLogging(defaultLogFile(), logLevel); });

    registerDataCommands(app);
    registerEngineCommands(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    } catch (const Cancelled&) {
        std::cerr << "cancelled\n";
        return 130;
    } catch (const ExitWith& e) {
        return e.code;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

} // namespace maml::cli
