// How long does the Train page take to show a finished long run? Opening a run folder reads
// its metrics.jsonl into a RunHistory (RunHistory::load) and hands it to the charts
// (TrainingCharts::setCurrent), which then paint. This times both, and as the reference in the
// same process the least any reader must do: read the file and parse every line as JSON.
//
// Without --run-dir it writes the finished study's shape into a temporary folder: 2,700
// iterations logged every iteration, a validation every 9 (300 of them), the study preset's
// config.json; the record format is the trainer's (see a real run's metrics.jsonl).
//
// Usage: bench_run_open [--run-dir DIR] [--reps N] [--json]
//   QT_QPA_PLATFORM=offscreen bench_run_open

#include "core/engine/presets.h"
#include "core/modules.h"
#include "ui/train/run_history.h"
#include "ui/train/training_charts.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <QApplication>
#include <QPixmap>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/// The finished study's run folder, synthesised: curves shaped like the real run's.
void writeStudyShape(const fs::path& dir, int64_t iterations, int valEvery)
{
    fs::create_directories(dir);
    auto config = maml::preset("study-cifar100-5w10s");
    config.iterations = iterations;
    config.valEvery = valEvery;
    std::ofstream(dir / "config.json") << config.toJson().dump(2) << '\n';
    std::ofstream out(dir / "metrics.jsonl");
    for (int64_t i = 1; i <= iterations; ++i) {
        const double t = static_cast<double>(i) / static_cast<double>(iterations);
        nlohmann::json r = {{"iteration", i},
                            {"seconds", 3.6 * static_cast<double>(i) + 0.123456789},
                            {"cpu_seconds", 7.1 * static_cast<double>(i) + 0.987654321},
                            {"train_loss", 1.6 - 1.0 * t + 0.05 * std::sin(static_cast<double>(i))},
                            {"train_accuracy", 0.3 + 0.5 * t + 0.02 * std::cos(static_cast<double>(i))}};
        if (i % valEvery == 0) {
            r["val_loss"] = 1.5 - 0.6 * t;
            r["val_accuracy"] = 0.4 + 0.29 * t;
            r["val_ci95"] = 0.02;
        }
        out << r.dump() << '\n';
    }
}

/// The reference: read the file and parse each line, nothing else.
size_t parseOnly(const fs::path& metrics)
{
    std::ifstream in(metrics);
    std::string line;
    size_t records = 0;
    while (std::getline(in, line))
        if (!line.empty() && nlohmann::json::parse(line, nullptr, false).is_object())
            ++records;
    return records;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    maml::registerBuiltinModules();
    CLI::App cli("Time opening a finished long run in the Train page's charts");
    std::string runDir;
    int reps = 7;
    bool json = false;
    cli.add_option("--run-dir", runDir, "A run folder (default: the finished study's shape, synthesised)");
    cli.add_option("--reps", reps, "Repetitions (the median is reported)")->check(CLI::Range(1, 1000));
    cli.add_flag("--json", json, "Print one JSON line instead of the table");
    CLI11_PARSE(cli, argc, argv);

    fs::path temp;
    if (runDir.empty()) {
        temp = fs::temp_directory_path() / ("bench-run-open-" + std::to_string(::getpid()));
        writeStudyShape(temp, 2700, 9);
        runDir = temp.string();
    }
    const fs::path metrics = fs::path(runDir) / "metrics.jsonl";

    std::vector<double> parse, load, show;
    size_t records = 0;
    qsizetype trainPoints = 0, valPoints = 0;
    for (int r = 0; r < reps; ++r) {
        auto t0 = Clock::now();
        records = parseOnly(metrics);
        parse.push_back(since(t0));

        maml::ui::TrainingCharts charts;
        charts.resize(1100, 700);
        charts.show();
        QApplication::processEvents();
        t0 = Clock::now();
        const auto history = maml::ui::RunHistory::load(QString::fromStdString(runDir));
        load.push_back(since(t0));
        trainPoints = history.train.size();
        valPoints = history.validation.size();

        t0 = Clock::now();
        charts.setCurrent(history);
        QApplication::processEvents();
        const QPixmap painted = charts.grab(); // the charts painted with every point
        show.push_back(since(t0));
        if (painted.isNull())
            return 1;
    }
    if (!temp.empty())
        fs::remove_all(temp);

    const double p = median(parse), l = median(load), s = median(show);
    if (json) {
        std::cout << nlohmann::json{{"records", records},
                                    {"train_points", trainPoints},
                                    {"val_points", valPoints},
                                    {"parse_s", p},
                                    {"load_s", l},
                                    {"show_s", s},
                                    {"open_s", l + s},
                                    {"open_over_parse", (l + s) / p}}
                         .dump()
                  << '\n';
        return 0;
    }
    std::cout << "run: " << runDir << " (" << records << " records: " << trainPoints << " train points, "
              << valPoints << " validation points), median of " << reps << "\n"
              << "  parse only (reference)      " << 1000 * p << " ms\n"
              << "  RunHistory::load            " << 1000 * l << " ms (" << l / p << "x the reference)\n"
              << "  charts: set, lay out, paint " << 1000 * s << " ms\n"
              << "  opened, in all              " << 1000 * (l + s) << " ms (" << (l + s) / p
              << "x the reference)\n";
    return 0;
}
