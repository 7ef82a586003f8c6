// maml-cli curve: a run's validation accuracy against wall-clock, and when it first reached given
// accuracies (time to accuracy, docs/cifar.md).
#include "app/cli/cmd_engine_common.h"

#include "core/engine/learning_curve.h"
#include "core/util/error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
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
    return {{"iteration", p.iteration},   {"seconds", p.seconds}, {"cpu_seconds", p.cpuSeconds},
            {"val_accuracy", p.accuracy}, {"val_ci95", p.ci95},   {"val_loss", p.loss}};
}

} // namespace

void addCurveCommand(CLI::App& app)
{
    struct Args {
        std::string runDir;
        std::vector<double> reach;
        int rows = 20;
        int flatWindow = 3;
        double flatPoints = 1.0;
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
    cmd->add_option("--flat-window", a->flatWindow,
                    "Where the curve flattens: the running mean over this many validations ...")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--flat-points", a->flatPoints,
                    "... first comes within this many accuracy points of its highest (default 1)")
        ->check(CLI::Range(0.0, 100.0));
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
        const auto flat = curve.flattening(a->flatWindow, a->flatPoints / 100);
        // CPU time, when the run logged it: unlike wall clock it does not grow while a shared
        // machine runs other work beside the run.
        const bool cpu = std::any_of(curve.validation.begin(), curve.validation.end(),
                                     [](const CurvePoint& p) { return p.cpuSeconds > 0; });
        if (a->json) {
            nlohmann::json out = {{"run_dir", a->runDir},
                                  {"iterations", curve.lastIteration},
                                  {"seconds", curve.lastSeconds},
                                  {"train_accuracy_recent", curve.meanTrainAccuracy},
                                  {"best", toJson(best)},
                                  {"flattens", flat ? toJson(*flat) : nlohmann::json()},
                                  {"flattens_rule", {{"window", a->flatWindow}, {"points", a->flatPoints}}},
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
        if (cpu)
            std::printf("%10s  %9s  %9s  %s\n", "iteration", "time", "CPU time", "val accuracy (95% CI)");
        else
            std::printf("%10s  %9s  %s\n", "iteration", "time", "val accuracy (95% CI)");
        for (const auto& p : a->all ? curve.validation : curve.thinned(a->rows)) {
            std::printf("%10lld  %9s  ", static_cast<long long>(p.iteration),
                        formatDuration(p.seconds).c_str());
            if (cpu)
                std::printf("%9s  ", formatDuration(p.cpuSeconds).c_str());
            std::printf("%s%s%s\n", percent(p.accuracy, p.ci95).c_str(),
                        p.iteration == best.iteration ? "  best" : "",
                        flat && p.iteration == flat->iteration ? "  flattens" : "");
        }
        std::cout << "best: " << percent(best.accuracy, best.ci95) << " at iteration " << best.iteration
                  << " (" << formatDuration(best.seconds) << ")\n";
        if (!flat)
            std::printf("not flattened yet: the mean of %d validations is within %.1f points of its highest "
                        "only at the last validation\n",
                        a->flatWindow, a->flatPoints);
        else {
            std::printf("flattens at iteration %lld after %s", static_cast<long long>(flat->iteration),
                        formatDuration(flat->seconds).c_str());
            if (cpu)
                std::printf(" (%s of CPU)", formatDuration(flat->cpuSeconds).c_str());
            std::printf(": the mean of %d validations first comes within %.1f points of its highest\n",
                        a->flatWindow, a->flatPoints);
        }
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
