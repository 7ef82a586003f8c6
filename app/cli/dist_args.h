#pragma once
// The options with which maml-cli train, resume and eval run on several processes or machines
// (--nproc, --world-size, --rank, --master, --timeout, and torchrun's environment variables).

#include "core/dist/dist_options.h"

#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace maml {
class Collective;
}

namespace maml::cli {

struct DistArgs {
    int nproc = 0;        ///< --nproc: worker processes to start on this machine (0: not given)
    int worldSize = -1;   ///< --world-size; -1: WORLD_SIZE or 1
    int rank = -1;        ///< --rank; -1: RANK or 0
    std::string master;   ///< --master HOST:PORT; empty: MASTER_ADDR and MASTER_PORT
    double timeout = 120; ///< --timeout seconds
};

/// Adds the options to a subcommand.
void addDistOptions(CLI::App* cmd, DistArgs& args);

/// This process's part in the run: the options over the environment variables torchrun sets
/// (WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT, LOCAL_WORLD_SIZE). Throws maml::Error for
/// values that do not fit together.
DistOptions resolveDist(const DistArgs& args);

/// Whether this invocation starts local workers (--nproc > 1) instead of running itself.
bool launchesWorkers(const DistArgs& args);

/// Starts the --nproc workers (launcher.h) and throws ExitWith with the run's exit code.
[[noreturn]] void launchAndExit(const DistArgs& args, const std::string& runDir);

/// Torch threads of one of `localProcesses` processes on this machine: cores / processes.
int threadsPerProcess(int localProcesses);

/// The hint of a failed distributed run: how to resume it, with the checkpoint's iteration
/// when this machine holds the run folder.
std::string resumeHint(const std::string& runDir, const DistOptions& options);

} // namespace maml::cli
