#pragma once
/// \file
/// Word sentiment scores learned from labelled text (the "corpus" lexicon prior): what a large
/// labelled corpus such as imdb50k says about each word, for words no hand-made lexicon lists.

#include "core/text/text_corpus.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace maml {

struct CorpusLexiconOptions {
    int minDocuments = 5;   ///< a word needs this many sentences (of both labels together)
    double smoothing = 5.0; ///< added to both labels' counts (pulls rare words towards 0)
    double clip = 2.0;      ///< scores are cut to [-clip, clip]
};

/// For a corpus with two labels: each word's smoothed log ratio of the share of sentences of the
/// second label (e.g. "positive") holding it to that of the first, over the sentences `indices`
/// (the meta-training split only). Positive: the word leans to the second label. Words in fewer
/// than `minDocuments` sentences are left out. Throws maml::Error if the corpus has not exactly
/// two labels.
std::unordered_map<std::string, double> corpusWordScores(const TextCorpus& corpus,
                                                         const std::vector<int>& indices,
                                                         const CorpusLexiconOptions& options = {});

} // namespace maml
