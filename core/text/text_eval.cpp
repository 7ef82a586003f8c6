#include "core/text/text_eval.h"

#include "core/engine/checkpoint.h"
#include "core/engine/task_source.h"
#include "core/text/afinn.h"
#include "core/text/text_datasets.h"
#include "core/text/text_task_source.h"
#include "core/util/error.h"

#include <cstdio>

namespace maml {

nlohmann::json textEvalBaselines(const std::filesystem::path& checkpoint, const EvalOptions& options)
{
    auto config = readCheckpointInfo(checkpoint).config;
    if (!options.dataset.empty())
        config.dataset = options.dataset;
    if (dataKindOf(config.dataset) != DataKind::Text)
        return nlohmann::json::object();
    auto source = makeTaskSource(config, options.split);
    const auto* text = dynamic_cast<const TextTaskSource*>(source.get());
    if (!text)
        return nlohmann::json::object();
    try {
        AfinnClassifier afinn(afinnLexiconPath());
        int episodes = options.episodes > 0 ? options.episodes : config.evalEpisodes;
        double zeroShare = 0;
        auto r = afinn.evaluate(*text, episodes, options.seed, &zeroShare);
        return {{"afinn_accuracy", r.mean}, {"afinn_ci95", r.ci95}, {"afinn_zero_share", zeroShare}};
    } catch (const Error& e) {
        return {{"afinn_error", e.what()}};
    }
}

std::string describeTextBaselines(const nlohmann::json& b)
{
    if (b.contains("afinn_error"))
        return "AFINN-165 baseline not run: " + b["afinn_error"].get<std::string>() + "\n";
    if (!b.contains("afinn_accuracy"))
        return {};
    char line[256];
    std::snprintf(
        line, sizeof line,
        "AFINN-165: accuracy %.2f%% +- %.2f%%  [lexicon, positive if score > 0; %.1f%% of queries score 0]\n",
        100 * b["afinn_accuracy"].get<double>(), 100 * b["afinn_ci95"].get<double>(),
        100 * b["afinn_zero_share"].get<double>());
    return line;
}

} // namespace maml
