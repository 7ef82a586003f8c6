// maml-cli curve: a run's validation accuracy against wall-clock, and when it first reached given
// accuracies (time to accuracy, docs/cifar.md).
#include "app/cli/cmd_engine_common.h"

#include "core/engine/learning_curve.h"
#include "core/util/error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace maml::cli {

namespace {

std::string percent(double accuracy, double ci95)
{
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.2f%% +- %.2f%%", 100 * accuracy, 100 * ci95);
    return buf;
}

nlohmann::json toJson(const CurvePoint& p)
{
    return {{"iteration", p.iteration},
            {"seconds", p.seconds},
            {"val_accuracy", p.accuracy},
            {"val_ci95", p.ci95},
            {"val_loss", p.loss}};
}

} // namespace

void addCurveCommand(CLI::App& app)
{
    struct Args {
        std::string runDir;
        std::vector<double> reach;
        int rows = 20;
        bool all = false, json = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand(
        "curve", "A run's validation accuracy against iterations and wall-clock, its best point, and "
                 "when it first reached the accuracies given with --reach");
    cmd->add_option("--run-dir", a->runDir, "The run folder (maml-cli train --run-dir, or a Train page run)")
        ->required();
    cmd->add_option("--reach", a->reach,
                    "Accuracies to report the first validation at or above (0.6975 or 69.75; repeatable)");
    cmd->add_option("--rows", a->rows, "At most this many validations in the table (first, best, last kept)")
        ->check(CLI::Range(3, 100000));
    cmd->add_flag("--all", a->all, "Every validation in the table");
    cmd->add_flag("--json", a->json, "Print the whole curve and the thresholds as JSON");
    cmd->callback([a] {
        const auto curve = readLearningCurve(a->runDir);
        if (curve.validation.empty())
            throw Error("the run has no validation yet (" + std::to_string(curve.lastIteration) +
                            " iterations logged)",
                        a->runDir, "Validation runs every val_every iterations; look again later");
        std::vector<double> reach;
        for (double r : a->reach) {
            if (!(r > 0 && r <= 100))
                throw Error("--reach " + std::to_string(r) + " is not an accuracy", {},
                            "Give a fraction (0.6975) or a percentage (69.75)");
            reach.push_back(r > 1 ? r / 100 : r);
        }
        const auto best = *curve.best();
        if (a->json) {
            nlohmann::json out = {{"run_dir", a->runDir},
                                  {"iterations", curve.lastIteration},
                                  {"seconds", curve.lastSeconds},
                                  {"train_accuracy_recent", curve.meanTrainAccuracy},
                                  {"best", toJson(best)},
                                  {"validation", nlohmann::json::array()},
                                  {"reach", nlohmann::json::array()}};
            for (const auto& p : curve.validation)
                out["validation"].push_back(toJson(p));
            for (double r : reach) {
                const auto p = curve.firstReaching(r);
                out["reach"].push_back({{"accuracy", r}, {"first", p ? toJson(*p) : nlohmann::json()}});
            }
            std::cout << out.dump(2) << "\n";
            return;
        }
        std::cout << a->runDir << ": " << curve.lastIteration << " iterations in "
                  << formatDuration(curve.lastSeconds) << ", " << curve.validation.size() << " validations\n";
        std::printf("%10s  %9s  %s\n", "iteration", "time", "val accuracy (95% CI)");
        for (const auto& p : a->all ? curve.validation : curve.thinned(a->rows))
            std::printf("%10lld  %9s  %s%s\n", static_cast<long long>(p.iteration),
                        formatDuration(p.seconds).c_str(), percent(p.accuracy, p.ci95).c_str(),
                        p.iteration == best.iteration ? "  best" : "");
        std::cout << "best: " << percent(best.accuracy, best.ci95) << " at iteration " << best.iteration
                  << " (" << formatDuration(best.seconds) << ")\n";
        for (double r : reach) {
            char target[16];
            std::snprintf(target, sizeof target, "%.2f%%", 100 * r);
            if (const auto p = curve.firstReaching(r))
                std::cout << "reached " << target << " at iteration " << p->iteration << " after "
                          << formatDuration(p->seconds) << " (" << percent(p->accuracy, p->ci95) << ")\n";
            else
                std::cout << "never reached " << target << " in " << formatDuration(curve.lastSeconds)
                          << "\n";
        }
        if (curve.trainLines > 0)
            std::printf("train accuracy, last 10%% of the logged iterations: %.2f%%\n",
                        100 * curve.meanTrainAccuracy);
        std::cout << "(each validation is its own sample of episodes: a threshold crossed once may be noise; "
                     "score a checkpoint with `maml-cli eval`)\n";
    });
}

} // namespace maml::cli
