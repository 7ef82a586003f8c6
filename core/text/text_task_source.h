#pragma once
/// \file
/// The engine's TaskSource for text corpora, the tokenizer a config uses, and the
/// registration of the text module (model "transformer", text task sources, text presets).

#include "core/engine/task_source.h"
#include "core/text/text_corpus.h"
#include "core/text/text_episode_sampler.h"
#include "core/text/word_tokenizer.h"

#include <memory>
#include <string>

namespace maml {

/// The corpus of `spec`, opened once per process and shared (thread-safe).
std::shared_ptr<const TextCorpus> sharedTextCorpus(const std::string& spec);

/// The tokenizer of a text config: config.extra["tokenizer"] when present (a checkpoint's), else
/// built from the texts of config.trainSplit with extra "minCount" (default 2), "maxWords"
/// (default 0 = all) and "length" (default 128) - the same vocabulary on every call.
WordTokenizer textTokenizer(const ExperimentConfig& config);

/// Stores textTokenizer(config) in config.extra["tokenizer"] (no-op for non-text datasets or
/// when already there), so that checkpoints carry the vocabulary.
void attachTextTokenizer(ExperimentConfig& config);

/// Text episodes of one split of a corpus (split syntax: TextCorpus::select).
class TextTaskSource final : public TaskSource {
public:
    TextTaskSource(std::shared_ptr<const TextCorpus> corpus, WordTokenizer tokenizer,
                   const std::string& split, EpisodeSpec spec);

    Episode sample(uint64_t seed) const override { return m_sampler->sample(seed); }
    EpisodeSpec spec() const override { return m_sampler->spec(); }
    std::vector<std::string> datasetClassNames() const override { return m_corpus->labelNames(); }
    std::vector<int> classPool() const override;
    /// "[domain] sentence" of example `index` (cls is the label; index a corpus example index).
    std::string itemSource(int cls, int index) const override;
    std::string describe() const override;
    /// The AFINN-165 lexicon (key "afinn"; positive when a sentence's score is above 0).
    std::vector<ReferenceBaseline> referenceBaselines(int episodes, uint64_t seed) const override;

    const TextCorpus& corpus() const { return *m_corpus; }
    const WordTokenizer& tokenizer() const { return m_tokenizer; }
    const std::string& split() const { return m_split; }

private:
    std::shared_ptr<const TextCorpus> m_corpus;
    WordTokenizer m_tokenizer;
    std::string m_split;
    int m_poolSize = 0;
    std::unique_ptr<TextEpisodeSampler> m_sampler;
};

/// Registers the text module with the engine: the "transformer" model, the text task-source
/// factory, the tokenizer's config preparer and the text presets. Called by
/// registerBuiltinModules() (core/modules.h).
void registerTextModule();

} // namespace maml
