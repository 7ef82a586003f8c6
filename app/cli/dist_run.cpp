#include "app/cli/dist_run.h"

#include "app/cli/cmd_engine_common.h"
#include "app/cli/dist_args.h"
#include "core/dist/collective.h"
#include "core/dist/gloo_collective.h"
#include "core/dist/setup_check.h"
#include "core/engine/checkpoint.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fstream>

namespace maml::cli {

namespace fs = std::filesystem;

namespace {
/// How long rank 0 waits at the end for the others to be done with its store.
constexpr double kFinishSeconds = 30;

nlohmann::json evalOptionsJson(const EvalOptions& o)
{
    return {{"dataset", o.dataset},
            {"split", o.split},
            {"episodes", o.episodes},
            {"steps", o.steps},
            {"baseline", o.baseline},
            {"seed", o.seed},
            {"max_misclassified", o.maxMisclassified}};
}

void evalOptionsFrom(const nlohmann::json& j, EvalOptions& o)
{
    o.dataset = j.at("dataset").get<std::string>();
    o.split = j.at("split").get<std::string>();
    o.episodes = j.at("episodes").get<int>();
    o.steps = j.at("steps").get<int>();
    o.baseline = j.at("baseline").get<bool>();
    o.seed = j.at("seed").get<uint64_t>();
    o.maxMisclassified = j.at("max_misclassified").get<int>();
}
} // namespace

void trainAsRank(const DistOptions& options, const std::string& runDir, const nlohmann::json& config,
                 int threads, const std::function<Trainer(const RunRole&)>& startOrResume)
{
    RunRole role;
    role.threads = threads >= 0 ? threads : threadsPerProcess(options.localWorldSize);
    role.startupTimeoutSeconds = options.startupTimeoutSeconds;
    int code = 0;
    try {
        role.collective = connectGloo(options);
        spdlog::info("rank {} of {} connected to {}", options.rank, options.worldSize, options.master());
        checkSameSetup(*role.collective, setupFingerprint(config), options.timeoutSeconds);
        auto trainer = options.rank == 0 ? startOrResume(role) : Trainer::joinRun(runDir, role);
        code = runTrainer(trainer, /*quiet=*/options.rank != 0);
        role.collective->finish(kFinishSeconds);
    } catch (const CollectiveFailure& e) {
        throw Error(e.problem(), e.where(), resumeHint(runDir, options));
    }
    if (code != 0)
        throw Cancelled(); // exit code 130 after the summary
}

EvalResult evaluateAsRank(const DistOptions& options, const std::string& checkpoint, EvalOptions evalOptions,
                          const EvalProgressCallback& progress)
{
    auto collective = connectGloo(options);
    checkSameSetup(*collective, setupFingerprint(nullptr), options.timeoutSeconds);
    const fs::path copy = fs::temp_directory_path() / ("maml-eval-" + std::to_string(::getpid()) + ".pt");
    fs::path path = checkpoint;
    if (options.rank == 0) {
        readCheckpointInfo(checkpoint); // a clear error before the others wait for it
        collective->publish("maml/eval/options", evalOptionsJson(evalOptions).dump());
        collective->publish("maml/eval/checkpoint", readFile(checkpoint));
    } else {
        const double wait = std::max(options.startupTimeoutSeconds, options.timeoutSeconds);
        evalOptionsFrom(nlohmann::json::parse(collective->fetch("maml/eval/options", wait)), evalOptions);
        writeFileAtomic(copy, collective->fetch("maml/eval/checkpoint", wait));
        path = copy;
    }
    if (evalOptions.threads < 0)
        evalOptions.threads = threadsPerProcess(options.localWorldSize);
    evalOptions.collective = collective.get();
    collective->setStep("the evaluation");
    try {
        auto r = evaluateCheckpoint(path, evalOptions, options.rank == 0 ? progress : EvalProgressCallback{});
        collective->finish(kFinishSeconds);
        std::error_code ec;
        fs::remove(copy, ec);
        return r;
    } catch (...) {
        std::error_code ec;
        fs::remove(copy, ec);
        throw;
    }
}

} // namespace maml::cli
