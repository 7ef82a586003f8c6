#include "core/engine/config.h"

#include "core/data/episode.h"
#include "core/util/error.h"
#include "core/util/json_limits.h"
#include "core/util/utf8.h"

#include <cmath>
#include <limits>
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
    f("lslr", c.lslr);
    f("multi_step_loss", c.multiStepLoss);
    f("multi_step_loss_iterations", c.multiStepLossIterations);
    f("first_order_iterations", c.firstOrderIterations);
    f("cosine_meta_lr", c.cosineMetaLr);
    f("meta_lr_min", c.metaLrMin);
    f("checkpoint_inner_steps", c.checkpointInnerSteps);
    f("seed", c.seed);
    f("threads", c.threads);
    f("processes", c.processes);
    f("device", c.device);
    f("val_every", c.valEvery);
    f("val_episodes", c.valEpisodes);
    f("eval_episodes", c.evalEpisodes);
    f("log_every", c.logEvery);
    f("checkpoint_minutes", c.checkpointMinutes);
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

/// A short, printable form of a JSON value for messages.
std::string shown(const json& value)
{
    std::string s = value.dump(-1, ' ', false, json::error_handler_t::replace);
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

[[noreturn]] void wrongValue(const char* key, const json& value, const std::string& want)
{
    throw Error("setting '" + std::string(key) + "' must be " + want + ", got " + shown(value), "config",
                "Compare with `maml-cli presets --json`");
}

/// A JSON integer that fits in `Int` (a float such as 1e300 is not silently cut to an int).
template <typename Int> Int wholeNumber(const char* key, const json& v)
{
    using limits = std::numeric_limits<Int>;
    const bool fits = v.is_number_unsigned() ? v.get<uint64_t>() <= static_cast<uint64_t>(limits::max())
                      : v.is_number_integer()
                          ? v.get<int64_t>() >= static_cast<int64_t>(limits::min()) &&
                                (v.get<int64_t>() < 0 || static_cast<uint64_t>(v.get<int64_t>()) <=
                                                             static_cast<uint64_t>(limits::max()))
                          : false;
    if (!fits)
        wrongValue(key, v,
                   "a whole number from " + std::to_string(limits::min()) + " to " +
                       std::to_string(limits::max()));
    return v.is_number_unsigned() ? static_cast<Int>(v.get<uint64_t>()) : static_cast<Int>(v.get<int64_t>());
}

// One reader per member type: numbers must fit the member, other types must match exactly.
void readSetting(const char* key, const json& v, int& out)
{
    out = wholeNumber<int>(key, v);
}
void readSetting(const char* key, const json& v, int64_t& out)
{
    out = wholeNumber<int64_t>(key, v);
}
void readSetting(const char* key, const json& v, uint64_t& out)
{
    out = wholeNumber<uint64_t>(key, v);
}
void readSetting(const char* key, const json& v, double& out)
{
    if (!v.is_number() || !std::isfinite(v.get<double>()))
        wrongValue(key, v, "a finite number");
    out = v.get<double>();
}
template <typename T> void readSetting(const char* key, const json& v, T& out)
{
    try {
        v.get_to(out);
    } catch (const json::exception&) {
        throw Error("setting '" + std::string(key) + "' has the wrong type (" + shown(v) + ")", "config",
                    "Compare with `maml-cli presets --json`");
    }
}

/// A string setting that is not UTF-8 (a folder name in Latin-1, say) could not be written to
/// config.json or a checkpoint.
void checkUtf8(std::vector<std::string>& out, const char* key, const std::string& value)
{
    check(out, isValidUtf8(value),
          std::string(key) + " is not valid UTF-8 text (\"" + toValidUtf8(value) +
              "\"): rename the file or folder it names to a UTF-8 name");
}

/// Parameters of Conv-4 for `c` (4 conv blocks of 3x3 filters with BatchNorm, a linear head).
double conv4Parameters(const ExperimentConfig& c)
{
    const double f = c.filters, side = std::floor(c.imageSize / 16.0);
    return 9 * c.channels * f + 3 * 9 * f * f + 4 * 3 * f + f * side * side * c.ways + c.ways;
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
        readSetting(key, *it, value);
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
    check(p, ways >= 2 && ways <= kMaxWays,
          "ways (N) must be in 2.." + std::to_string(kMaxWays) + ", got " + std::to_string(ways));
    check(p, shots >= 1 && shots <= kMaxShots,
          "shots (K) must be in 1.." + std::to_string(kMaxShots) + ", got " + std::to_string(shots));
    check(p, queries >= 1 && queries <= kMaxShots,
          "queries (Q) must be in 1.." + std::to_string(kMaxShots) + ", got " + std::to_string(queries));
    check(p, filters >= 1 && filters <= 1024, "filters must be in 1..1024, got " + std::to_string(filters));
    if (model == "conv4" && p.empty())
        check(p, conv4Parameters(*this) <= kMaxParameters,
              "the Conv-4 model would have " +
                  std::to_string(static_cast<long long>(conv4Parameters(*this) / 1e6)) +
                  " million parameters, more than the " +
                  std::to_string(static_cast<long long>(kMaxParameters / 1e6)) +
                  " million allowed: lower filters, image_size or ways");
    check(p, batchNorm == "batch" || batchNorm == "running" || batchNorm == "per-step",
          "batch_norm must be \"batch\", \"running\" or \"per-step\", got \"" + batchNorm + "\"");
    check(p, batchNorm != "per-step" || model == "conv4",
          "batch_norm \"per-step\" is for Conv-4 (model \"conv4\"); model \"" + model +
              "\" has no BatchNorm");
    check(p, innerStepsTrain >= 1 && innerStepsTrain <= kMaxSteps,
          "inner_steps_train must be in 1.." + std::to_string(kMaxSteps) + ", got " +
              std::to_string(innerStepsTrain));
    check(p, innerStepsEval >= 0 && innerStepsEval <= kMaxSteps,
          "inner_steps_eval must be in 0.." + std::to_string(kMaxSteps) + ", got " +
              std::to_string(innerStepsEval));
    check(p, innerLr > 0 && std::isfinite(innerLr), "inner_lr must be a positive number");
    check(p, metaLr > 0 && std::isfinite(metaLr), "meta_lr must be a positive number");
    check(p, metaBatch >= 1 && metaBatch <= kMaxMetaBatch,
          "meta_batch must be in 1.." + std::to_string(kMaxMetaBatch) + ", got " + std::to_string(metaBatch));
    check(p, iterations >= 1 && iterations <= kMaxIterations,
          "iterations must be in 1.." + std::to_string(kMaxIterations) + ", got " +
              std::to_string(iterations));
    check(p, gradClip >= 0 && std::isfinite(gradClip), "grad_clip must be 0 (off) or a positive number");
    check(p, multiStepLossIterations >= 1, "multi_step_loss_iterations must be at least 1");
    check(p, firstOrderIterations >= 0, "first_order_iterations must be 0 (off) or positive");
    check(p, !(firstOrder && firstOrderIterations > 0),
          "first_order_iterations anneals from first to second order; with first_order on, every "
          "iteration is first order already");
    check(p, std::isfinite(metaLrMin) && metaLrMin >= 0, "meta_lr_min must be 0 or positive");
    check(p, !cosineMetaLr || metaLrMin < metaLr,
          "meta_lr_min must be below meta_lr for cosine annealing of the meta learning rate");
    check(p, !(checkpointInnerSteps && firstOrder),
          "checkpoint_inner_steps is for second-order runs (first-order runs keep no inner graphs)");
    check(p, threads >= 0, "threads must be 0 (all cores) or positive");
    check(p, processes >= 1 && processes <= 1024,
          "processes must be in 1..1024, got " + std::to_string(processes));
    check(p, checkpointMinutes >= 0 && std::isfinite(checkpointMinutes),
          "checkpoint_minutes must be 0 (off) or a positive number of minutes");
    check(p, device == "cpu" || device == "cuda",
          "device must be \"cpu\" or \"cuda\", got \"" + device + "\"");
    check(p, valEvery >= 1, "val_every must be at least 1");
    check(p, valEpisodes >= 1 && valEpisodes <= kMaxEpisodes,
          "val_episodes must be in 1.." + std::to_string(kMaxEpisodes) + ", got " +
              std::to_string(valEpisodes));
    check(p, evalEpisodes >= 1 && evalEpisodes <= kMaxEpisodes,
          "eval_episodes must be in 1.." + std::to_string(kMaxEpisodes) + ", got " +
              std::to_string(evalEpisodes));
    check(p, logEvery >= 1, "log_every must be at least 1");
    check(p, trainImages >= 0, "train_images must be 0 (all) or positive");
    check(p, extra.is_object(), "extra must be a JSON object");
    checkUtf8(p, "dataset", dataset);
    checkUtf8(p, "model", model);
    for (const auto* split : {&trainSplit, &valSplit, &testSplit})
        checkUtf8(p, "a split name", *split);
    for (const auto* list : {&trainClasses, &valClasses, &testClasses})
        for (const auto& name : *list)
            checkUtf8(p, "a class name", name);
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

bool ExperimentConfig::usesMamlpp() const
{
    return !mamlppSummary().empty();
}

std::string ExperimentConfig::mamlppSummary() const
{
    std::vector<std::string> parts;
    if (lslr)
        parts.push_back("LSLR");
    if (multiStepLoss)
        parts.push_back("multi-step loss (" + std::to_string(multiStepLossIterations) + " it)");
    if (batchNorm == "per-step")
        parts.push_back("per-step BN");
    if (firstOrderIterations > 0)
        parts.push_back("first order for " + std::to_string(firstOrderIterations) + " it");
    if (cosineMetaLr)
        parts.push_back("cosine meta-lr");
    std::string out;
    for (const auto& part : parts)
        out += (out.empty() ? "" : ", ") + part;
    return out;
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
    const json j = readJsonFile(path, {}, "Fix the file or start from `maml-cli presets --json`");
    try {
        return ExperimentConfig::fromJson(j);
    } catch (const Error& e) {
        throw Error(e.problem(), path, e.hint());
    }
}

} // namespace maml
