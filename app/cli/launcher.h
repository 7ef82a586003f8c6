#pragma once
// maml-cli --nproc N: starts N copies of this program as the ranks of a distributed run (in
// the spirit of torchrun), forwards Ctrl-C to them, and stops them all when one fails.

#include <string>
#include <vector>

namespace maml::cli {

struct LaunchPlan {
    int nproc = 1;          ///< worker processes on this machine
    int firstRank = 0;      ///< their ranks are firstRank .. firstRank + nproc - 1
    int worldSize = 1;      ///< ranks on all machines
    std::string masterAddr; ///< empty: 127.0.0.1 and a free port (a run on this machine only)
    int masterPort = 0;
    std::string runDir;            ///< for the resume hint after a failure (may be empty)
    std::vector<std::string> args; ///< this program's arguments (argv[1..]), --nproc included
    /// After a failure: 3 s for the others to stop by themselves, SIGTERM, then SIGKILL after this.
    double graceSeconds = 15;
};

/// Runs the workers to the end and returns the exit code: 0 when every rank succeeded, rank 0's
/// code after Ctrl-C (130), else 1 with a message naming the rank that failed first.
int launchWorkers(const LaunchPlan& plan);

/// `args` without the option `name` and its value ("--name V" or "--name=V").
std::vector<std::string> withoutOption(const std::vector<std::string>& args, const std::string& name);

} // namespace maml::cli
