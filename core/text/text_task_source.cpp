#include "core/text/text_task_source.h"

#include "core/engine/checkpoint.h"
#include "core/engine/config_preparer.h"
#include "core/engine/experiment_check.h"
#include "core/engine/model_factory.h"
#include "core/engine/presets.h"
#include "core/text/afinn.h"
#include "core/text/corpus_lexicon.h"
#include "core/text/text_adapter.h"
#include "core/text/text_datasets.h"
#include "core/text/transformer.h"
#include "core/util/embedded.h"
#include "core/util/error.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

namespace maml {
namespace {

int extraInt(const ExperimentConfig& config, const char* key, int fallback)
{
    const auto& e = config.extra;
    if (!e.contains(key))
        return fallback;
    if (!e[key].is_number_integer())
        throw Error(std::string("\"") + key + "\" must be an integer", "config extra");
    return e[key].get<int>();
}

/// "train", "val", "test" stand for the config's splits; a split still named so (a config
/// left at its defaults, e.g. for text:FILE) means that part of every domain.
std::string resolveTextSplit(const ExperimentConfig& config, const std::string& split)
{
    std::string s = split == "train"  ? config.trainSplit
                    : split == "val"  ? config.valSplit
                    : split == "test" ? config.testSplit
                                      : split;
    return s == "train" || s == "val" || s == "test" ? "all@" + s : s;
}

/// extra.lexicon: "" / "none" (default), "afinn" (the AFINN-165 word scores as a prior), "corpus"
/// (scores learned from the meta-training text, corpusWordScores) or "afinn+corpus" (their sum).
struct LexiconChoice {
    bool afinn = false;
    bool corpus = false;
};

LexiconChoice lexiconChoice(const ExperimentConfig& config)
{
    if (!config.extra.contains("lexicon"))
        return {};
    const auto& v = config.extra["lexicon"];
    std::string name = v.is_string() ? v.get<std::string>() : "?";
    if (name.empty() || name == "none")
        return {};
    if (name == "afinn" || name == "corpus" || name == "afinn+corpus")
        return {name != "corpus", name != "afinn"};
    throw Error(
        "\"lexicon\" must be \"afinn\", \"corpus\", \"afinn+corpus\" or \"none\"", "config extra",
        "\"afinn\" seeds the embeddings with the AFINN-165 word scores, \"corpus\" with scores learned "
        "from the meta-training text (see docs/text.md)");
}

/// A corpus score (a natural log ratio, -2..2) in the prior's AFINN units: the embedding gets
/// score / 2.5, so a log ratio of 1 weighs as an AFINN score of 2.5.
constexpr double kAfinnPerLogRatio = 2.5;

/// The single-word entries of the AFINN-165 lexicon, alphabetical, with their scores.
std::vector<std::pair<std::string, int>> afinnWords()
{
    AfinnClassifier afinn(afinnLexiconPath());
    std::vector<std::pair<std::string, int>> words;
    for (const auto& [word, score] : afinn.scores()) {
        auto tokens = WordTokenizer::split(word);
        if (tokens.size() == 1 && tokens[0] == word)
            words.emplace_back(word, score);
    }
    std::sort(words.begin(), words.end());
    return words;
}

/// The presets of datasets/sentiment.json (compiled in).
void registerTextPresets()
{
    const auto& files = embedded::files();
    auto it = files.find("sentiment.json");
    if (it == files.end())
        return;
    for (const auto& entry : nlohmann::json::parse(it->second).value("presets", nlohmann::json::array())) {
        Preset p;
        p.name = entry.at("name").get<std::string>();
        p.description = entry.value("description", "");
        p.config = ExperimentConfig::fromJson(entry.at("config"));
        registerPreset(p);
    }
}

} // namespace

std::shared_ptr<const TextCorpus> sharedTextCorpus(const std::string& spec)
{
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<const TextCorpus>> cache;
    std::lock_guard<std::mutex> lock(mutex);
    if (auto corpus = cache[spec].lock())
        return corpus;
    std::shared_ptr<const TextCorpus> corpus = openTextCorpus(spec);
    cache[spec] = corpus;
    return corpus;
}

namespace {

/// The vocabulary of the config's meta-training text alone.
WordTokenizer textVocabulary(const ExperimentConfig& config, const TextCorpus& corpus,
                             const std::vector<int>& trainIndices)
{
    return WordTokenizer::build(corpus.texts(trainIndices), extraInt(config, "minCount", 2),
                                extraInt(config, "maxWords", 0),
                                extraInt(config, "length", WordTokenizer::kDefaultLength));
}

std::vector<std::string> wordsOf(const std::vector<std::pair<std::string, int>>& lexicon)
{
    std::vector<std::string> words;
    for (const auto& entry : lexicon)
        words.push_back(entry.first);
    return words;
}

/// The text sampler's check of one split (no vocabulary needed), with where and what to do.
std::string textSplitProblem(const ExperimentConfig& config, const std::string& split)
{
    auto corpus = sharedTextCorpus(config.dataset); // a corpus that cannot be opened throws
    try {
        const WordTokenizer noVocabulary; // the sampler only checks the counts here
        TextEpisodeSampler sampler(*corpus, noVocabulary, corpus->select(resolveTextSplit(config, split)),
                                   config.episodeSpec());
        return {};
    } catch (const Error& e) {
        const std::string where =
            e.where().empty() || e.where() == corpus->name() ? "" : " (" + e.where() + ")";
        return e.problem() + where + (e.hint().empty() ? "" : "; " + e.hint());
    }
}

/// The Transformer's settings, as the model factory will read them.
std::vector<std::string> transformerProblems(const ExperimentConfig& config)
{
    if (config.model != "transformer")
        return {};
    try {
        TransformerOptions::fromConfig(config, 2);
        return {};
    } catch (const Error& e) {
        return {e.problem() + (e.hint().empty() ? "" : ": " + e.hint())};
    }
}

} // namespace

WordTokenizer textTokenizer(const ExperimentConfig& config)
{
    if (config.extra.contains("tokenizer"))
        return WordTokenizer::fromJson(config.extra["tokenizer"]);
    auto corpus = sharedTextCorpus(config.dataset);
    auto tokenizer = textVocabulary(config, *corpus, corpus->select(resolveTextSplit(config, "train")));
    if (lexiconChoice(config).afinn)
        tokenizer.appendWords(wordsOf(afinnWords()));
    return tokenizer;
}

void attachTextTokenizer(ExperimentConfig& config)
{
    if (dataKindOf(config.dataset) != DataKind::Text || config.extra.contains("tokenizer"))
        return;
    auto corpus = sharedTextCorpus(config.dataset);
    const auto trainIndices = corpus->select(resolveTextSplit(config, "train"));
    auto tokenizer = textVocabulary(config, *corpus, trainIndices);
    // Derived from the vocabulary: never keep a stale one from an earlier config.
    config.extra.erase("lexiconPrior");
    config.extra.erase("lexiconOnlyFrom");
    const auto lexicon = lexiconChoice(config);
    std::map<int64_t, double> prior; // token id -> score in AFINN's units (-5..5)
    if (lexicon.corpus)
        for (const auto& [word, score] : corpusWordScores(*corpus, trainIndices))
            if (const auto id = tokenizer.id(word); id != WordTokenizer::kUnk)
                prior[id] += kAfinnPerLogRatio * score;
    if (lexicon.afinn) {
        const auto words = afinnWords();
        // The lexicon's words go after the text's: the first of them, if any, gets this id.
        config.extra["lexiconOnlyFrom"] = tokenizer.vocabSize();
        tokenizer.appendWords(wordsOf(words));
        for (const auto& [word, score] : words)
            if (const auto id = tokenizer.id(word); id != WordTokenizer::kUnk)
                prior[id] += score;
    }
    if (lexicon.afinn || lexicon.corpus) {
        auto entries = nlohmann::json::array();
        for (const auto& [id, score] : prior)
            entries.push_back({id, score});
        config.extra["lexiconPrior"] = entries;
    }
    config.extra["tokenizer"] = tokenizer.toJson();
}

TextTaskSource::TextTaskSource(std::shared_ptr<const TextCorpus> corpus, WordTokenizer tokenizer,
                               const std::string& split, EpisodeSpec spec)
    : m_corpus(std::move(corpus)), m_tokenizer(std::move(tokenizer)), m_split(split)
{
    auto pool = m_corpus->select(split);
    m_poolSize = static_cast<int>(pool.size());
    m_sampler = std::make_unique<TextEpisodeSampler>(*m_corpus, m_tokenizer, pool, spec);
}

std::vector<int> TextTaskSource::classPool() const
{
    std::vector<int> pool(m_corpus->labelNames().size());
    for (size_t i = 0; i < pool.size(); ++i)
        pool[i] = static_cast<int>(i);
    return pool;
}

std::string TextTaskSource::itemSource(int cls, int index) const
{
    const auto& ex = m_corpus->example(index);
    return "[" + m_corpus->domainNames()[static_cast<size_t>(ex.domain)] + "] " + ex.text;
}

std::vector<ReferenceBaseline> TextTaskSource::referenceBaselines(int episodes, uint64_t seed) const
{
    ReferenceBaseline b;
    b.key = "afinn";
    b.label = "AFINN-165";
    try {
        AfinnClassifier afinn(afinnLexiconPath());
        double zeroShare = 0;
        b.accuracy = afinn.evaluate(*this, episodes, seed, &zeroShare);
        char note[128];
        std::snprintf(note, sizeof note, "lexicon, positive if score > 0; %.1f%% of queries score 0",
                      100 * zeroShare);
        b.note = note;
        b.extra = {{"afinn_zero_share", zeroShare}};
    } catch (const Error& e) {
        b.error = e.what();
    }
    return {b};
}

std::string TextTaskSource::describe() const
{
    std::string domains;
    for (int d : m_sampler->domains())
        domains += (domains.empty() ? "" : "+") + m_corpus->domainNames()[static_cast<size_t>(d)];
    const auto& s = spec();
    return m_corpus->name() + " split \"" + m_split + "\": " + std::to_string(m_poolSize) +
           " sentences, domains " + domains + ", vocabulary " + std::to_string(m_tokenizer.vocabSize()) +
           ", " + std::to_string(s.ways) + "-way " + std::to_string(s.shots) + "-shot " +
           std::to_string(s.queries) + "-query";
}

void registerTextModule()
{
    registerModelFactory(
        "transformer", [](const ExperimentConfig& config) -> std::shared_ptr<FunctionalModel> {
            auto options = TransformerOptions::fromConfig(config, textTokenizer(config).vocabSize());
            auto model = std::make_shared<TransformerEncoder>(options);
            if (config.extra.contains("lexiconPrior"))
                model->applyLexiconPrior(config.extra["lexiconPrior"], extraInt(config, "lexiconDims", 16),
                                         extraInt(config, "lexiconOnlyFrom", -1));
            return model;
        });
    TaskSourceFactory text;
    text.name = "text";
    text.accepts = [](const std::string& spec) { return isTextSpec(spec); };
    text.make = [](const ExperimentConfig& config, const std::string& split) -> std::shared_ptr<TaskSource> {
        auto corpus = sharedTextCorpus(config.dataset);
        return std::make_shared<TextTaskSource>(corpus, textTokenizer(config),
                                                resolveTextSplit(config, split), config.episodeSpec());
    };
    text.kind = DataKind::Text;
    text.splitProblem = textSplitProblem;
    registerTaskSourceFactory(std::move(text));
    registerConfigPreparer("text tokenizer", attachTextTokenizer);
    registerSettingsCheck("transformer", transformerProblems);
    registerAdapterFactory(DataKind::Text, [](LoadedModel&& loaded) -> std::unique_ptr<ModelAdapter> {
        return std::make_unique<TextAdapter>(std::move(loaded));
    });
    registerTextPresets();
}

} // namespace maml
