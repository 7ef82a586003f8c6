#include "core/engine/config.h"

#include "core/data/episode.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

#include <cmath>
#include <set>

namespace maml {

namespace {
using nlohmann::json;

/// Calls f(key, member) for every JSON-stored member, so toJson and fromJson share one list.
template <typename Config, typename F> void forEachField(Config& c, F&& f)
{
    f("dataset", c.dataset);
    f("image_size", c.imageSize);
    f("channels", c.channels);
    f("rotations", c.rotations);
    f("train_split", c.trainSplit);
    f("val_split", c.valSplit);
    f("test_split", c.testSplit);
    f("train_classes", c.trainClasses);
    f("val_classes", c.valClasses);
    f("test_classes", c.testClasses);
    f("train_images", c.trainImages);
    f("ways", c.ways);
    f("shots", c.shots);
    f("queries", c.queries);
    f("model", c.model);
    f("filters", c.filters);
    f("batch_norm", c.batchNorm);
    f("inner_steps_train", c.innerStepsTrain);
    f("inner_steps_eval", c.innerStepsEval);
    f("inner_lr", c.innerLr);
    f("meta_lr", c.metaLr);
    f("meta_batch", c.metaBatch);
    f("iterations", c.iterations);
    f("first_order", c.firstOrder);
    f("grad_clip", c.gradClip);
    f("seed", c.seed);
    f("threads", c.threads);
    f("processes", c.processes);
    f("device", c.device);
    f("val_every", c.valEvery);
    f("val_episodes", c.valEpisodes);
    f("eval_episodes", c.evalEpisodes);
    f("log_every", c.logEvery);
    f("outer_batch", c.outerBatch);
    f("num_task", c.numTask);
    f("inner_batch", c.innerBatch);
    f("epochs", c.epochs);
    f("extra", c.extra);
}

void check(std::vector<std::string>& out, bool ok, const std::string& message)
{
    if (!ok)
        out.push_back(message);
}
} // namespace

json ExperimentConfig::toJson() const
{
    json j = json::object();
    forEachField(*this, [&](const char* key, const auto& value) { j[key] = value; });
    return j;
}

ExperimentConfig ExperimentConfig::fromJson(const json& j)
{
    if (!j.is_object())
        throw Error("an experiment config must be a JSON object", "config",
                    "See `maml-cli presets` for examples");
    ExperimentConfig c;
    std::set<std::string> known;
    forEachField(c, [&](const char* key, auto& value) {
        known.insert(key);
        auto it = j.find(key);
        if (it == j.end())
            return;
        try {
            it->get_to(value);
        } catch (const json::exception&) {
            throw Error("setting '" + std::string(key) + "' has the wrong type (" + it->dump() + ")",
                        "config", "Compare with `maml-cli presets --json`");
        }
    });
    std::string unknown;
    for (const auto& [key, _] : j.items())
        if (!known.count(key))
            unknown += (unknown.empty() ? "" : ", ") + key;
    if (!unknown.empty())
        throw Error("unknown setting(s): " + unknown, "config",
                    "Check the spelling; `maml-cli presets --json` lists every setting");
    return c;
}

std::vector<std::string> ExperimentConfig::validate() const
{
    std::vector<std::string> p;
    check(p, !dataset.empty(), "dataset is empty");
    check(p, imageSize >= 16 || model != "conv4",
          "image_size must be at least 16 for Conv-4 (4 max-pools), got " + std::to_string(imageSize));
    check(p, imageSize <= 512, "image_size must be at most 512, got " + std::to_string(imageSize));
    check(p, channels == 1 || channels == 3, "channels must be 1 or 3, got " + std::to_string(channels));
    check(p, ways >= 2, "ways (N) must be at least 2, got " + std::to_string(ways));
    check(p, shots >= 1, "shots (K) must be at least 1, got " + std::to_string(shots));
    check(p, queries >= 1, "queries (Q) must be at least 1, got " + std::to_string(queries));
    check(p, filters >= 1 && filters <= 1024, "filters must be in 1..1024, got " + std::to_string(filters));
    check(p, batchNorm == "batch" || batchNorm == "running",
          "batch_norm must be \"batch\" or \"running\", got \"" + batchNorm + "\"");
    check(p, innerStepsTrain >= 1, "inner_steps_train must be at least 1");
    check(p, innerStepsEval >= 0, "inner_steps_eval must be at least 0");
    check(p, innerLr > 0 && std::isfinite(innerLr), "inner_lr must be a positive number");
    check(p, metaLr > 0 && std::isfinite(metaLr), "meta_lr must be a positive number");
    check(p, metaBatch >= 1, "meta_batch must be at least 1");
    check(p, iterations >= 1, "iterations must be at least 1");
    check(p, gradClip >= 0, "grad_clip must be 0 (off) or positive");
    check(p, threads >= 0, "threads must be 0 (all cores) or positive");
    check(p, processes >= 1 && processes <= 1024,
          "processes must be in 1..1024, got " + std::to_string(processes));
    check(p, device == "cpu" || device == "cuda",
          "device must be \"cpu\" or \"cuda\", got \"" + device + "\"");
    check(p, valEvery >= 1, "val_every must be at least 1");
    check(p, valEpisodes >= 1, "val_episodes must be at least 1");
    check(p, evalEpisodes >= 1, "eval_episodes must be at least 1");
    check(p, logEvery >= 1, "log_every must be at least 1");
    check(p, trainImages >= 0, "train_images must be 0 (all) or positive");
    check(p, extra.is_object(), "extra must be a JSON object");
    return p;
}

void ExperimentConfig::validateOrThrow(const std::string& where) const
{
    const auto problems = validate();
    if (problems.empty())
        return;
    std::string all;
    for (const auto& m : problems)
        all += (all.empty() ? "" : "; ") + m;
    throw Error("invalid settings: " + all, where, "Fix these settings and try again");
}

EpisodeSpec ExperimentConfig::episodeSpec() const
{
    return EpisodeSpec{ways, shots, queries};
}

const std::vector<std::string>& ExperimentConfig::explicitClasses(const std::string& split) const
{
    static const std::vector<std::string> none;
    if (split == trainSplit)
        return trainClasses;
    if (split == valSplit)
        return valClasses;
    if (split == testSplit)
        return testClasses;
    return none;
}

ExperimentConfig loadConfig(const std::string& path)
{
    const std::string text = readFile(path);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(std::string("not valid JSON: ") + e.what(), path,
                    "Fix the file or start from `maml-cli presets --json`");
    }
    try {
        return ExperimentConfig::fromJson(j);
    } catch (const Error& e) {
        throw Error(e.problem(), path, e.hint());
    }
}

} // namespace maml
