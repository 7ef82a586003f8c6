// maml-cli datasets | sample | fetch: the data commands.
#include "app/cli/cli.h"
#include "app/cli/progress_printer.h"

#include "core/data/dataset_locations.h"
#include "core/data/dataset_registry.h"
#include "core/data/downloader.h"
#include "core/data/episode.h"
#include "core/data/episode_grid.h"
#include "core/text/text_datasets.h"
#include "core/text/text_episode_sampler.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace maml::cli {
namespace fs = std::filesystem;

namespace {
struct DatasetsArgs {
    std::string dataset;
    std::vector<std::string> remember; ///< NAME DIR
    bool listClasses = false;
    DatasetOptions options;
};

struct SampleArgs {
    std::string dataset = "glyphs";
    std::string split; ///< empty: "train" if the dataset has one, else "all"
    std::vector<std::string> classes;
    EpisodeSpec spec{5, 1, 5};
    uint64_t seed = 0;
    std::string out;
    DatasetOptions options;
};

struct FetchArgs {
    std::string what;
    std::string dir;
    std::string url;
    std::string md5;
};

std::string shapeText(const ImageShape& s)
{
    return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" + std::to_string(s.width);
}

std::string splitsText(const ImageDataset& ds)
{
    std::string out;
    for (const auto& [name, classes] : ds.splits())
        out += (out.empty() ? "" : ", ") + name + " " + std::to_string(classes.size());
    return out;
}

void printRow(const std::string& spec, const std::string& avail, const std::string& classes,
              const std::string& images, const std::string& shape, const std::string& splits)
{
    std::cout << std::left << std::setw(16) << spec << std::setw(7) << avail << std::setw(8) << classes
              << std::setw(9) << images << std::setw(10) << shape << splits << "\n";
}

void printClasses(const ImageDataset& ds)
{
    const auto splits = ds.splits();
    for (const auto& [split, classes] : splits) {
        if (split == "all" && splits.size() > 1)
            continue;
        std::cout << "  " << split << ":";
        for (int c : classes)
            std::cout << " " << ds.classNames()[c] << " (" << ds.imageCount(c) << ")";
        std::cout << "\n";
    }
}

std::string shortSpec(const std::string& spec)
{
    return spec.size() > 15 && spec.find(':') != std::string::npos ? spec.substr(0, spec.find(':')) : spec;
}

void describeOpen(const std::string& spec, const ImageDataset& ds, const DatasetsArgs& args)
{
    printRow(shortSpec(spec), "yes", std::to_string(ds.classCount()), std::to_string(ds.totalImages()),
             shapeText(ds.shape()), splitsText(ds));
    std::cout << "    location: " << ds.location() << "\n";
    if (args.listClasses)
        printClasses(ds);
}

/// One known dataset's row: opens it (if its files are there) to count classes and images.
void describe(const DatasetInfo& info, const DatasetsArgs& args)
{
    if (!info.available) {
        printRow(shortSpec(info.spec), "no", "-", "-", "-", "-");
        std::cout << "    how to get: " << info.howToGet << "\n";
        return;
    }
    try {
        describeOpen(info.spec, *openDataset(info.spec, args.options), args);
    } catch (const Error& e) {
        printRow(shortSpec(info.spec), "error", "-", "-", "-", "-");
        std::cout << "    " << e.what() << "\n    location: " << info.location << "\n";
    }
}

void runDatasets(const DatasetsArgs& args)
{
    if (!args.remember.empty()) {
        chooseDatasetFolder(args.remember[0], args.remember[1]);
        std::cout << args.remember[0] << " without a folder now opens " << args.remember[1] << " (kept in "
                  << datasetLocationsFile().string() << ")\n\n";
    }
    if (isTextSpec(args.dataset)) { // specs work everywhere: text:FILE, sentiment-uci, imdb50k
        const auto corpus = openTextCorpus(args.dataset, args.options.cacheDir);
        std::cout << args.dataset << ": " << corpus->size() << " labelled sentences, "
                  << corpus->labelNames().size() << " labels, " << corpus->domainNames().size()
                  << " domain(s)\n"
                  << describeTextCorpus(*corpus);
        return;
    }
    printRow("SPEC", "READY", "CLASSES", "IMAGES", "SHAPE", "SPLITS (classes)");
    if (!args.dataset.empty()) {
        describeOpen(args.dataset, *openDataset(args.dataset, args.options), args); // errors: exit code 1
        return;
    }
    for (const DatasetInfo& info : knownDatasets(args.options))
        describe(info, args);
    std::cout << "\n" << describeTextDatasets(args.options.cacheDir); // core/text
}

/// A text episode, written as text: one "label<TAB>sentence" line per example.
void runTextSample(const SampleArgs& args)
{
    if (!args.classes.empty())
        throw Error("--classes chooses image classes; a text episode draws its labels from one domain",
                    "maml-cli sample",
                    "Leave --classes out, or choose domains with --split, e.g. amazon@test");
    if (fs::path(args.out).extension() == ".png")
        throw Error("a text episode is written as text, not as a PNG", args.out,
                    "Give a text file name, e.g. --out episode.txt");
    const auto corpus = openTextCorpus(args.dataset, args.options.cacheDir);
    std::string split = args.split.empty() ? "all" : args.split;
    if (split == "train" || split == "val" || split == "test")
        split = "all@" + split; // the same part of every domain, as in training
    const auto pool = corpus->select(split);
    const auto tokenizer = WordTokenizer::build(corpus->texts(pool));
    const TextEpisodeSampler sampler(*corpus, tokenizer, pool, args.spec);
    const Episode ep = sampler.sample(args.seed);
    const std::string domain = corpus->domainNames()[corpus->example(ep.supportItems.front().second).domain];
    std::ostringstream text;
    text << "# " << args.dataset << " " << split << ", domain " << domain << ": " << args.spec.ways << "-way "
         << args.spec.shots << "-shot " << args.spec.queries << "-query, seed " << args.seed << "\n";
    for (const auto& [part, items] :
         {std::pair{"support", &ep.supportItems}, std::pair{"query", &ep.queryItems}}) {
        text << "# " << part << "\n";
        for (const auto& [label, index] : *items)
            text << corpus->labelNames()[label] << "\t" << corpus->example(index).text << "\n";
    }
    writeFileAtomic(args.out, text.str());
    std::cout << "wrote " << args.out << "\n" << text.str();
}

void runSample(const SampleArgs& args)
{
    if (isTextSpec(args.dataset))
        return runTextSample(args);
    auto ds = openDataset(args.dataset, args.options);
    std::vector<int> pool;
    for (const auto& name : args.classes)
        pool.push_back(ds->classIndex(name));
    std::string split = args.split;
    if (split.empty())
        split = ds->splits().count("train") ? "train" : "all";
    if (pool.empty())
        pool = ds->splitClasses(split);
    EpisodeSampler sampler(*ds, pool, args.spec);
    const Episode ep = sampler.sample(args.seed);
    EpisodeGridOptions grid;
    grid.title = args.dataset + (args.classes.empty() ? " " + split : std::string(" (chosen classes)")) +
                 ": " + std::to_string(args.spec.ways) + "-way " + std::to_string(args.spec.shots) +
                 "-shot " + std::to_string(args.spec.queries) + "-query, seed " + std::to_string(args.seed);
    writeEpisodeGrid(args.out, ep, grid);
    std::cout << "wrote " << args.out << ": " << grid.title << "\n";
    for (int e = 0; e < ep.ways(); ++e)
        std::cout << "  label " << e << ": " << ep.classNames[e] << "\n";
}

std::atomic<bool> g_cancel{false};

std::string mib(int64_t bytes)
{
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << bytes / (1024.0 * 1024.0) << " MiB";
    return s.str();
}

void showProgress(ProgressPrinter& printer, int64_t received, int64_t total)
{
    std::string line = "downloading: " + mib(received);
    if (total > 0)
        line += " of " + mib(total) + " (" + std::to_string(100 * received / total) + "%)";
    printer.update(total > 0 ? static_cast<double>(received) / total : 0.0, line);
}

void runFetch(const FetchArgs& args)
{
    if (args.what != "cifar100")
        throw Error(
            "cannot fetch '" + args.what + "'", "maml-cli fetch",
            "Only cifar100 is downloaded by the workbench; glyphs is generated, fashion-mnist comes from "
            "the dataset-fashion-mnist package, and Omniglot/image folders are read from a folder you give");
    const fs::path dir = args.dir.empty() ? defaultCacheDir() / "cifar100" : fs::path(args.dir);
    DownloadOptions options;
    options.expectedMd5 = args.md5;
    ProgressPrinter printer;
    options.progress = [&printer](int64_t received, int64_t total) {
        showProgress(printer, received, total);
    };
    options.cancel = &g_cancel;
    auto previous = std::signal(SIGINT, [](int) { g_cancel = true; });
    bool already = false;
    fs::path folder;
    try {
        folder = fetchCifar100(dir, args.url, options, &already);
    } catch (...) {
        std::signal(SIGINT, previous);
        printer.breakLine();
        throw;
    }
    std::signal(SIGINT, previous);
    printer.breakLine();
    std::cout << (already ? "CIFAR-100 is already in " : "CIFAR-100 verified and unpacked in ")
              << folder.string() << "\nUse it as --dataset cifar100"
              << (args.dir.empty() ? "" : ":" + dir.string()) << "\n";
}

void addDatasetOptions(CLI::App* cmd, DatasetOptions& o)
{
    cmd->add_option("--image-size", o.imageSize, "Resize images to SIZE x SIZE (default: the dataset's own)")
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--channels", o.channels, "1 (grayscale) or 3 (RGB); default: the dataset's own")
        ->check(CLI::IsMember({1, 3}));
    cmd->add_flag("--rotations", o.rotations, "Omniglot: add the 90/180/270-degree rotations as classes");
    cmd->add_option("--cache-dir", o.cacheDir, "Where generated/downloaded data is kept");
}
} // namespace

void registerDataCommands(CLI::App& app)
{
    static DatasetsArgs datasets;
    auto* ls =
        app.add_subcommand("datasets", "List the datasets, their splits, class and image counts, locations");
    ls->add_option("--dataset", datasets.dataset, "Show only this one, e.g. folder:DIR or omniglot:DIR");
    ls->add_flag("--classes", datasets.listClasses, "Also list each split's class names and image counts");
    ls->add_option("--remember", datasets.remember,
                   "NAME DIR: from now on cifar100, omniglot or fashion-mnist without a folder opens DIR "
                   "(checked first; the workbench's Data page does the same)")
        ->expected(2)
        ->type_name("NAME DIR");
    addDatasetOptions(ls, datasets.options);
    ls->callback([] { runDatasets(datasets); });

    static SampleArgs sample;
    auto* s =
        app.add_subcommand("sample", "Draw one N-way K-shot episode and write it as a labelled PNG grid");
    s->add_option("--dataset", sample.dataset,
                  "glyphs, fashion-mnist, cifar100[:DIR], omniglot:DIR, folder:DIR; text: sentiment-uci, "
                  "imdb50k, text:FILE")
        ->capture_default_str();
    s->add_option("--split", sample.split,
                  "Split to draw classes from: train, val, test, all, ... (default: train, or all)");
    s->add_option("--classes", sample.classes,
                  "Use exactly these classes (comma-separated) instead of a split")
        ->delimiter(',');
    s->add_option("--ways,-n", sample.spec.ways, "N: classes per episode")->capture_default_str();
    s->add_option("--shots,-k", sample.spec.shots, "K: support images per class")->capture_default_str();
    s->add_option("--queries,-q", sample.spec.queries, "Q: query images per class")->capture_default_str();
    s->add_option("--seed", sample.seed, "Episode seed (same seed, same episode)")->capture_default_str();
    s->add_option("--out,-o", sample.out, "PNG file to write (a text file for text datasets)")->required();
    addDatasetOptions(s, sample.options);
    s->callback([] { runSample(sample); });

    static FetchArgs fetch;
    auto* f = app.add_subcommand("fetch", "Download and verify a dataset (cifar100)");
    f->add_option("dataset", fetch.what, "What to fetch: cifar100")->required();
    f->add_option("--dir", fetch.dir, "Target folder (default: <cache>/cifar100)");
    f->add_option("--url", fetch.url, "Download from this URL instead (http, https or file://)");
    f->add_option("--md5", fetch.md5, "Expected MD5 of the archive (default: the official one)");
    f->callback([] { runFetch(fetch); });
}

} // namespace maml::cli
