#include "core/text/transformer_options.h"

#include "core/util/error.h"

namespace maml {
namespace {

/// extra[key] when it is an integer; a missing key gives `fallback`, another type an error
/// (strict) or `fallback` (lenient).
int intOr(const nlohmann::json& extra, const char* key, int fallback, bool strict)
{
    if (!extra.contains(key))
        return fallback;
    if (extra[key].is_number_integer())
        return extra[key].get<int>();
    if (strict)
        throw Error(std::string("\"") + key + "\" must be an integer", "config extra");
    return fallback;
}

TransformerOptions read(const ExperimentConfig& config, bool strict)
{
    TransformerOptions o;
    const auto& e = config.extra; // (contains() is false on anything but an object)
    o.ways = config.ways;
    o.length = intOr(e, "length", o.length, strict);
    o.dModel = intOr(e, "dModel", o.dModel, strict);
    o.heads = intOr(e, "heads", o.heads, strict);
    o.layers = intOr(e, "layers", o.layers, strict);
    o.ff = intOr(e, "ff", o.ff, strict);
    o.minCount = intOr(e, "minCount", o.minCount, strict);
    o.lexiconDims = intOr(e, "lexiconDims", o.lexiconDims, strict);
    if (e.contains("head"))
        o.head = e["head"].is_string() ? e["head"].get<std::string>() : strict ? "" : o.head;
    if (e.contains("lexicon"))
        o.lexicon = e["lexicon"].is_string() ? e["lexicon"].get<std::string>() : strict ? "?" : o.lexicon;
    if (o.lexicon.empty())
        o.lexicon = "none";
    return o;
}

} // namespace

TransformerOptions TransformerOptions::fromConfig(const ExperimentConfig& config, int vocabSize)
{
    TransformerOptions o = read(config, /*strict=*/true);
    o.vocabSize = vocabSize;
    std::string where = "transformer settings (config extra)";
    if (o.head != "flatten" && o.head != "mean")
        throw Error("\"head\" must be \"flatten\" or \"mean\"", where);
    if (o.dModel < 2 || o.dModel % 2 || o.heads < 1 || o.dModel % o.heads)
        throw Error("dModel must be even and divisible by heads", where,
                    "e.g. dModel 256 with 4 heads (got " + std::to_string(o.dModel) + ", " +
                        std::to_string(o.heads) + ")");
    if (o.lexicon != "none" && o.lexicon != "afinn" && o.lexicon != "corpus" && o.lexicon != "afinn+corpus")
        throw Error("\"lexicon\" must be \"afinn\", \"corpus\", \"afinn+corpus\" or \"none\"", where,
                    "\"afinn\" seeds the embeddings with the AFINN-165 word scores, \"corpus\" with scores "
                    "learned from the meta-training text (see docs/text.md)");
    if (o.lexicon != "none" && (o.lexiconDims < 1 || o.lexiconDims > o.dModel))
        throw Error("lexiconDims must be between 1 and dModel (" + std::to_string(o.dModel) + "), got " +
                        std::to_string(o.lexiconDims),
                    where);
    if (o.layers < 1 || o.ff < 1 || o.length < 1 || o.ways < 2 || o.vocabSize < 2)
        throw Error("layers, ff and length must be positive and ways at least 2", where);
    // Bounds, so that a hand-edited config or checkpoint cannot ask for gigabytes.
    if (o.dModel > 4096 || o.heads > 256 || o.layers > 64 || o.ff > 65536 || o.length > 8192)
        throw Error("dModel, heads, layers, ff or length is too large (at most 4096, 256, 64, 65536, 8192)",
                    where);
    const double d = o.dModel, params = double(o.vocabSize) * d + o.layers * (4 * d * d + 2 * d * o.ff) +
                                        (o.head == "flatten" ? double(o.length) * d : d) * o.ways;
    if (params > ExperimentConfig::kMaxParameters)
        throw Error("the Transformer would have " + std::to_string(static_cast<long long>(params / 1e6)) +
                        " million parameters, more than the " +
                        std::to_string(static_cast<long long>(ExperimentConfig::kMaxParameters / 1e6)) +
                        " million allowed",
                    where, "Lower dModel, ff, layers, or the vocabulary (minCount, maxWords)");
    return o;
}

TransformerOptions TransformerOptions::readConfig(const ExperimentConfig& config)
{
    return read(config, /*strict=*/false);
}

void TransformerOptions::toConfig(ExperimentConfig& config) const
{
    config.model = "transformer";
    if (!config.extra.is_object())
        config.extra = nlohmann::json::object();
    auto& e = config.extra;
    e["dModel"] = dModel;
    e["heads"] = heads;
    e["layers"] = layers;
    e["ff"] = ff;
    e["head"] = head;
    e["length"] = length;
    e["minCount"] = minCount;
    e["lexicon"] = lexicon;
    e["lexiconDims"] = lexiconDims;
    e.erase("tokenizer");
    e.erase("lexiconPrior");
    e.erase("lexiconOnlyFrom");
}

nlohmann::json TransformerOptions::toJson() const
{
    return {{"model", "transformer"},
            {"vocabSize", vocabSize},
            {"length", length},
            {"ways", ways},
            {"dModel", dModel},
            {"heads", heads},
            {"layers", layers},
            {"ff", ff},
            {"head", head}};
}

} // namespace maml
