#pragma once
/// \file
/// The settings of the text module's Transformer encoder, as stored in an experiment config
/// (ExperimentConfig::extra): the one place that knows those keys. No torch in this header.

#include "core/engine/config.h"

#include <string>

namespace maml {

/// Architecture of TransformerEncoder, plus the vocabulary setting stored beside it.
struct TransformerOptions {
    int vocabSize = 2; ///< tokenizer vocabulary, [PAD]=0 and [UNK]=1 included
    int length = 128;  ///< token positions (sequences are padded or cut to this)
    int ways = 2;      ///< N: outputs of the head
    int dModel = 256;  ///< d_model (the study's 256)
    int heads = 4;     ///< attention heads (dModel must be divisible by heads)
    int layers = 1;    ///< encoder layers
    int ff = 512;      ///< feed-forward width
    /// "flatten": the study's head (no CLS token; the [length x dModel] output, padding
    /// zeroed, flattened into Linear(length*dModel, N)); "mean": mean over real tokens.
    std::string head = "mean";
    /// The vocabulary: a word of the meta-training text enters when it occurs this often (read
    /// by the tokenizer, not the encoder; kept here so one struct holds the text model's settings).
    int minCount = 2;
    /// "afinn": the vocabulary gets the AFINN-165 words and the embeddings start from their
    /// scores (docs/text.md); "corpus": from word scores learned from the meta-training text
    /// (corpusWordScores); "afinn+corpus": both, summed; "none" (or "" / no key): learned from
    /// the text alone. Read when a run's vocabulary is built, like minCount.
    std::string lexicon = "none";
    /// Embedding coordinates that carry a lexicon word's score (1..dModel); used with a lexicon.
    int lexiconDims = 16;

    /// Reads extra {"dModel","heads","layers","ff","head","length","minCount","lexicon",
    /// "lexiconDims"} of `config`
    /// (missing keys keep the defaults above); ways from config.ways. Throws maml::Error on a
    /// value of the wrong type or settings the encoder cannot use.
    static TransformerOptions fromConfig(const ExperimentConfig& config, int vocabSize);
    /// The same keys read leniently, for an editor: a missing or wrongly typed key keeps its
    /// default and nothing is checked (fromConfig says what is wrong). Never throws.
    static TransformerOptions readConfig(const ExperimentConfig& config);
    /// Writes these settings into `config`: model "transformer" and the extra keys above. A
    /// stored vocabulary ("tokenizer") and the lexicon's token ids ("lexiconPrior",
    /// "lexiconOnlyFrom") are dropped: they follow from the data and these settings, and a new
    /// run rebuilds them (see attachTextTokenizer). Other extra keys stay; ways and vocabSize are
    /// not written (config.ways, the data's vocabulary).
    void toConfig(ExperimentConfig& config) const;
    nlohmann::json toJson() const;
};

} // namespace maml
