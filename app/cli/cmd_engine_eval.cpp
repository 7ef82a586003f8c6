// maml-cli eval, maml-cli adapt and maml-cli export.
#include "app/cli/cmd_engine_common.h"
#include "app/cli/dist_args.h"
#include "app/cli/dist_run.h"
#include "app/cli/progress_printer.h"

#include "core/data/image_io.h"
#include "core/engine/adapter.h"
#include "core/engine/evaluator.h"
#include "core/engine/task_source.h"
#include "core/text/text_adapter.h"
#include "core/util/error.h"
#include "core/util/utf8.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace maml::cli {

namespace fs = std::filesystem;

std::string formatDuration(double seconds)
{
    char buf[32];
    const long s = static_cast<long>(seconds + 0.5);
    if (seconds < 60)
        std::snprintf(buf, sizeof buf, "%.1fs", seconds);
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    return buf;
}

namespace {
struct EvalArgs {
    std::string checkpoint;
    EvalOptions options;
    bool noBaseline = false;
    bool json = false;
    int64_t seed = -1;
    std::string batchNorm = "model";
};

void printEval(const EvalResult& r)
{
    std::cout << std::fixed << std::setprecision(2);
    std::cout << r.dataset << " " << r.split << " split, " << r.episodes << " episodes of " << r.ways
              << "-way " << r.shots << "-shot (" << r.queries << " queries per class), " << r.steps
              << " adaptation steps\n";
    std::cout << "BatchNorm on the queries: " << describeBatchNorm(r.batchNorm) << "\n";
    std::cout << "MAML:     accuracy " << 100 * r.accuracy.mean << "% +- " << 100 * r.accuracy.ci95
              << "%  (loss " << std::setprecision(4) << r.loss.mean << ")\n";
    if (r.hasBaseline)
        std::cout << std::setprecision(2) << "baseline: accuracy " << 100 * r.baselineAccuracy.mean << "% +- "
                  << 100 * r.baselineAccuracy.ci95 << "%  (loss " << std::setprecision(4)
                  << r.baselineLoss.mean << ")  [same network, fresh initialisation, adapted the same way]\n";
    for (const auto& b : r.referenceBaselines) {
        if (!b.error.empty())
            std::cout << b.label << " baseline not run: " << b.error << "\n";
        else
            std::cout << std::setprecision(2) << b.label << ": accuracy " << 100 * b.accuracy.mean << "% +- "
                      << 100 * b.accuracy.ci95 << "%  [" << b.note << "]\n";
    }
    std::cout << "misclassified query items: " << r.misclassifiedTotal << " of " << r.queryItems;
    if (r.misclassifiedTotal > static_cast<long>(r.misclassified.size()))
        std::cout << " (the first " << r.misclassified.size() << " are kept for --json and the workbench)";
    std::cout << ", time " << formatDuration(r.seconds) << (r.cancelled ? " (cancelled early)" : "") << "\n";
}

std::vector<SupportClass> parseSupport(const std::vector<std::string>& specs)
{
    std::vector<SupportClass> out;
    for (const auto& s : specs) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == s.size())
            throw Error("--support needs NAME=IMG[,IMG...], got '" + s + "'", "maml-cli adapt",
                        "e.g. --support cat=cat1.png,cat2.png");
        SupportClass c{s.substr(0, eq), {}};
        std::stringstream files(s.substr(eq + 1));
        for (std::string f; std::getline(files, f, ',');)
            if (!f.empty())
                c.files.emplace_back(f);
        out.push_back(std::move(c));
    }
    return out;
}

void printPredictions(const std::vector<Prediction>& preds, const std::vector<std::string>& names, bool json)
{
    if (json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& p : preds) {
            nlohmann::json probs = nlohmann::json::object();
            for (size_t i = 0; i < names.size(); ++i)
                probs[names[i]] = p.probabilities[i];
            arr.push_back({{"query", p.item}, {"predicted", p.className}, {"probabilities", probs}});
        }
        // Inputs are checked for UTF-8 where they enter; replacing is the last line of defence.
        std::cout << nlohmann::json{{"classes", names}, {"predictions", arr}}.dump(
                         2, ' ', false, nlohmann::json::error_handler_t::replace)
                  << "\n";
        return;
    }
    for (const auto& p : preds) {
        std::cout << p.item << " -> " << p.className << "  (";
        for (size_t i = 0; i < names.size(); ++i)
            std::cout << (i ? ", " : "") << names[i] << " " << std::fixed << std::setprecision(3)
                      << p.probabilities[i];
        std::cout << ")\n";
    }
}
} // namespace

void addEvalCommand(CLI::App& app)
{
    auto a = std::make_shared<EvalArgs>();
    auto d = std::make_shared<DistArgs>();
    auto* cmd = app.add_subcommand(
        "eval", "Adapt-then-score evaluation of a checkpoint, beside the no-meta-learning baseline");
    cmd->add_option("--checkpoint", a->checkpoint, "Checkpoint file (.pt)")->required();
    cmd->add_option("--dataset", a->options.dataset, "Evaluate on another dataset of the same image shape");
    cmd->add_option("--split", a->options.split, "Class split: test, val, train or all")
        ->capture_default_str();
    cmd->add_option("--episodes", a->options.episodes, "Episodes (default: the config's, 600)");
    cmd->add_option("--steps", a->options.steps, "Adaptation steps (default: the config's inner_steps_eval)");
    cmd->add_option("--seed", a->seed,
                    "Base seed of the episodes (default: fixed, the same for every checkpoint)");
    cmd->add_option("--threads", a->options.threads, "Torch threads (0 = all cores; at most the cores)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--batch-norm", a->batchNorm,
                    "How BatchNorm normalises the queries: 'model' (the checkpoint's own mode) or 'batch' "
                    "(the query set's own statistics, transductive, as MAML's and MAML++'s code scores; "
                    "for checkpoints trained with running or per-step statistics)")
        ->check(CLI::IsMember({"model", "batch"}))
        ->capture_default_str();
    cmd->add_flag("--no-baseline", a->noBaseline, "Skip the freshly initialised baseline");
    cmd->add_flag("--json", a->json, "Print one JSON object on standard output");
    addDistOptions(cmd, *d);
    cmd->callback([a, d] {
        if (launchesWorkers(*d))
            launchAndExit(*d, "");
        a->options.baseline = !a->noBaseline;
        a->options.queryBatchStatistics = a->batchNorm == "batch";
        if (a->seed >= 0)
            a->options.seed = static_cast<uint64_t>(a->seed);
        const auto dist = resolveDist(*d);
        ProgressPrinter printer;
        const auto progress = [&printer, share = dist.distributed(),
                               baseline = a->options.baseline](const EvalProgress& p) {
            std::ostringstream line;
            line << "episode " << p.done << "/" << p.total << (share ? " of rank 0's share" : "")
                 << "  accuracy " << std::fixed << std::setprecision(4) << p.accuracy;
            if (baseline) // --no-baseline: no baseline to show
                line << "  baseline " << p.baselineAccuracy;
            printer.update(static_cast<double>(p.done) / std::max(1, p.total), line.str());
        };
        const auto r = dist.distributed() ? evaluateAsRank(dist, a->checkpoint, a->options, progress)
                                          : evaluateCheckpoint(a->checkpoint, a->options, progress);
        printer.breakLine();
        if (dist.rank != 0)
            return; // rank 0 reports
        if (a->json)
            std::cout << r.toJson().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        else
            printEval(r);
    });
}

void addAdaptCommand(CLI::App& app)
{
    struct Args {
        std::string checkpoint, supportDir, queryDir;
        std::vector<std::string> support, query;
        std::vector<std::string> supportText, queryText; // text checkpoints
        std::string supportTextFile, queryTextFile;
        std::string exportFile;
        int steps = -1;
        bool json = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd =
        app.add_subcommand("adapt", "Adapt a checkpoint to your own classes and classify query images");
    cmd->add_option("--checkpoint", a->checkpoint, "Checkpoint file (.pt)")->required();
    cmd->add_option("--support", a->support, "NAME=IMG[,IMG...], once per class");
    cmd->add_option("--support-dir", a->supportDir, "Folder with one sub-folder of images per class");
    cmd->add_option("--query", a->query, "Query image files");
    cmd->add_option("--query-dir", a->queryDir, "Folder of query images");
    cmd->add_option("--support-text", a->supportText,
                    "Text models: NAME=\"sentence|sentence...\", once per class");
    cmd->add_option("--support-text-file", a->supportTextFile,
                    "Text models: TSV/CSV/JSON-lines file of text,label");
    cmd->add_option("--query-text", a->queryText, "Text models: a query sentence (repeatable)");
    cmd->add_option("--query-text-file", a->queryTextFile,
                    "Text models: a file with one query sentence per line");
    cmd->add_option("--steps", a->steps, "Adaptation steps (default: the config's inner_steps_eval)");
    cmd->add_option("--export", a->exportFile,
                    "Write the adapted model as a TorchScript file (torch.jit.load in Python); "
                    "queries are then optional");
    cmd->add_flag("--json", a->json, "Print JSON on standard output");
    cmd->callback([a] {
        const bool exporting = !a->exportFile.empty();
        // The checkpoint says what it is (images or text); the options must match it.
        auto adapter = openAdapter(a->checkpoint);
        const bool imagesGiven = !a->support.empty() || !a->supportDir.empty();
        const bool textGiven = !a->supportText.empty() || !a->supportTextFile.empty();
        const std::string kind = dataKindName(adapter->kind());
        if ((adapter->kind() == DataKind::Text && imagesGiven && !textGiven) ||
            (adapter->kind() == DataKind::Images && textGiven && !imagesGiven))
            throw Error(
                "the kinds of data differ: this checkpoint is a " + kind + " model (" +
                    adapter->config().model + ", trained on " + adapter->config().dataset + ") and " +
                    (imagesGiven ? "--support/--query give images" : "--support-text gives text"),
                a->checkpoint,
                adapter->kind() == DataKind::Text
                    ? "Give its support set with --support-text and its queries with --query-text"
                    : "Give its support set with --support (or --support-dir) and its queries with --query");
        std::vector<ItemClass> support;
        std::vector<std::string> queries;
        if (adapter->kind() == DataKind::Text) {
            if (!textGiven)
                throw Error("this is a text model: give the support sentences with --support-text (once per "
                            "class) or --support-text-file",
                            "maml-cli adapt", "e.g. --support-text pos=\"great film|loved it\"");
            support = itemClasses(a->supportTextFile.empty() ? parseSupportText(a->supportText)
                                                             : supportTextFromFile(a->supportTextFile));
            for (const auto& q : a->queryText)
                queries.push_back(toValidUtf8(q)); // command-line text may be in any encoding
            if (!a->queryTextFile.empty())
                for (const auto& s : sentencesFromFile(a->queryTextFile))
                    queries.push_back(s);
        } else {
            if (a->support.empty() == a->supportDir.empty())
                throw Error("give the support set with --support (once per class) or --support-dir",
                            "maml-cli adapt");
            support = itemClasses(a->supportDir.empty() ? parseSupport(a->support)
                                                        : supportFromFolder(a->supportDir));
            queries = a->query;
            if (!a->queryDir.empty()) {
                if (!fs::is_directory(a->queryDir))
                    throw Error("no such folder", a->queryDir,
                                "Give a folder of query images with --query-dir");
                for (const auto& f : listImageFiles(a->queryDir))
                    queries.push_back(f.string());
            }
            if (queries.empty() && !exporting)
                throw Error("no query images", "maml-cli adapt", "Give --query IMG... or --query-dir DIR");
        }
        adapter->setSupportItems(support);
        adapter->adapt(a->steps, [](int step, double loss) {
            std::cerr << "step " << step << ": support loss " << std::fixed << std::setprecision(4) << loss
                      << "\n";
        });
        if (exporting) {
            adapter->exportTorchScript(a->exportFile);
            std::cerr << "wrote the adapted model (" << adapter->classNames().size() << " classes) to "
                      << a->exportFile << "\n";
        }
        if (!queries.empty() || !exporting)
            printPredictions(adapter->predictItems(queries), adapter->classNames(), a->json);
    });
}

void addExportCommand(CLI::App& app)
{
    struct Args {
        std::string checkpoint, out;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand(
        "export", "Write a checkpoint's meta-parameters as a TorchScript file (torch.jit.load in Python); "
                  "`adapt --export` writes an adapted model");
    cmd->add_option("--checkpoint", a->checkpoint, "Checkpoint file (.pt)")->required();
    cmd->add_option("--out", a->out, "The TorchScript file to write")->required();
    cmd->callback([a] {
        auto adapter = openAdapter(a->checkpoint);
        adapter->exportTorchScript(a->out, ExportWeights::Meta);
        std::cout << "wrote the meta-parameters of the " << adapter->describe() << " to " << a->out << "\n";
    });
}

} // namespace maml::cli
