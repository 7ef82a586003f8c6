#include "app/cli/dist_args.h"

#include "app/cli/cli.h"
#include "app/cli/launcher.h"
#include "core/engine/checkpoint.h"
#include "core/engine/trainer.h"
#include "core/util/error.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <thread>

namespace maml::cli {

namespace {
/// An integer environment variable, or `fallback` when unset; a malformed value is an error.
int envInt(const char* name, int fallback)
{
    const char* v = std::getenv(name);
    if (!v || !*v)
        return fallback;
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (*end != '\0')
        throw Error(std::string("the environment variable ") + name + " is not a number: '" + v + "'",
                    "environment", std::string("Unset ") + name + " or give a whole number");
    return static_cast<int>(n);
}

std::string envText(const char* name)
{
    const char* v = std::getenv(name);
    return v ? v : "";
}
} // namespace

void addDistOptions(CLI::App* cmd, DistArgs& a)
{
    const auto group = "Several processes or machines (docs/distributed.md)";
    cmd->add_option("--nproc", a.nproc,
                    "Start this many processes on this machine that share each meta-batch (threads: the "
                    "cores divided among them)")
        ->group(group)
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--world-size", a.worldSize,
                    "Processes of a multi-machine run, on all machines (WORLD_SIZE)")
        ->group(group);
    cmd->add_option("--rank", a.rank, "This process's rank, 0..world-size-1; rank 0 writes the run (RANK)")
        ->group(group);
    cmd->add_option("--master", a.master,
                    "HOST:PORT of rank 0's machine and a free port on it (MASTER_ADDR, MASTER_PORT)")
        ->group(group);
    cmd->add_option("--timeout", a.timeout,
                    "Seconds a process waits for the others before the run stops with an error")
        ->group(group)
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
}

DistOptions resolveDist(const DistArgs& a)
{
    DistOptions o;
    o.worldSize = a.worldSize >= 0 ? a.worldSize : envInt("WORLD_SIZE", 1);
    o.rank = a.rank >= 0 ? a.rank : envInt("RANK", 0);
    o.localWorldSize = envInt("LOCAL_WORLD_SIZE", 1);
    if (!a.master.empty()) {
        parseMaster(a.master, o.masterAddr, o.masterPort);
    } else {
        o.masterAddr = envText("MASTER_ADDR");
        o.masterPort = envInt("MASTER_PORT", 0);
    }
    o.timeoutSeconds = a.timeout;
    validateDistOptions(o);
    return o;
}

bool launchesWorkers(const DistArgs& a)
{
    return a.nproc > 1;
}

void launchAndExit(const DistArgs& a, const std::string& runDir)
{
    LaunchPlan plan;
    plan.nproc = a.nproc;
    plan.worldSize = a.worldSize >= 0 ? a.worldSize : envInt("WORLD_SIZE", a.nproc);
    plan.firstRank = a.rank >= 0 ? a.rank : (a.worldSize >= 0 ? 0 : envInt("RANK", 0));
    if (a.worldSize < 0 && plan.worldSize < a.nproc)
        plan.worldSize = a.nproc; // a WORLD_SIZE smaller than --nproc is not this run's
    if (!a.master.empty())
        parseMaster(a.master, plan.masterAddr, plan.masterPort);
    else if (plan.worldSize > a.nproc) {
        plan.masterAddr = envText("MASTER_ADDR");
        plan.masterPort = envInt("MASTER_PORT", 0);
    }
    if (plan.firstRank < 0 || plan.firstRank + plan.nproc > plan.worldSize)
        throw Error("ranks " + std::to_string(plan.firstRank) + ".." +
                        std::to_string(plan.firstRank + plan.nproc - 1) + " do not fit in a world of " +
                        std::to_string(plan.worldSize),
                    "--nproc / --rank / --world-size",
                    "With --nproc N on several machines, give each machine its first rank with --rank");
    if (plan.worldSize > plan.nproc && (plan.masterAddr.empty() || plan.masterPort <= 0))
        throw Error("a run across machines needs rank 0's address", "--master",
                    "Give --master HOST:PORT on every machine");
    plan.runDir = runDir;
    plan.args = originalArguments();
    throw ExitWith{launchWorkers(plan)};
}

int threadsPerProcess(int localProcesses)
{
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return std::max(1, cores / std::max(1, localProcesses));
}

std::string resumeHint(const std::string& runDir, const DistOptions& o)
{
    if (runDir.empty())
        return "Start it again; nothing was written";
    std::string where;
    try {
        const RunPaths paths{runDir};
        if (std::filesystem::exists(paths.last()))
            where = " (checkpoints/last.pt holds iteration " +
                    std::to_string(readCheckpointInfo(paths.last()).iteration) + ")";
    } catch (const std::exception&) {
    }
    if (o.localWorldSize >= o.worldSize)
        return "Nothing checkpointed is lost" + where + ": continue with `maml-cli resume --run-dir " +
               runDir + " --nproc " + std::to_string(o.worldSize) + "` (or any other number of processes)";
    return "Nothing checkpointed is lost" + where +
           ": continue on rank 0's machine with `maml-cli resume --run-dir " + runDir +
           "` and --world-size, --rank and --master on every machine as before (any world size works)";
}

} // namespace maml::cli
