#pragma once
/// \file
/// N-way K-shot Q-query text episodes; every task draws all its sentences from one domain.

#include "core/data/episode.h"
#include "core/text/text_corpus.h"
#include "core/text/word_tokenizer.h"

#include <cstdint>
#include <vector>

namespace maml {

/// Draws text episodes from a pool of example indices of one corpus. Episode label e stands
/// for corpus label classes[e] (a fresh random permutation per episode); x tensors are token
/// ids int64 [n, tokenizer.length()]. supportItems/queryItems hold (corpus label, example
/// index) so corpus.example(index) gives the sentence and its domain. The same seed gives the
/// same episode on every run and platform (SplitMix64 arithmetic, as EpisodeSampler).
class TextEpisodeSampler {
public:
    /// Throws maml::Error if no domain of the pool has N labels with K+Q sentences each
    /// (the message lists the per-domain counts).
    TextEpisodeSampler(const TextCorpus& corpus, const WordTokenizer& tokenizer, const std::vector<int>& pool,
                       EpisodeSpec spec);

    const TextCorpus& corpus() const { return m_corpus; }
    const WordTokenizer& tokenizer() const { return m_tokenizer; }
    const EpisodeSpec& spec() const { return m_spec; }
    /// Domains tasks are drawn from (those with enough sentences).
    const std::vector<int>& domains() const { return m_domains; }

    /// The episode for `seed`. Thread-safe.
    Episode sample(uint64_t seed) const;
    /// `count` episodes with seeds deriveSeed(seed, i).
    std::vector<Episode> sampleBatch(uint64_t seed, int count) const;

private:
    std::vector<int> eligibleLabels(int domain) const;
    torch::Tensor encode(const std::vector<std::pair<int, int>>& items) const;

    const TextCorpus& m_corpus;
    const WordTokenizer& m_tokenizer;
    EpisodeSpec m_spec;
    std::vector<std::vector<std::vector<int>>> m_pool; ///< [domain][label] -> example indices
    std::vector<int> m_domains;
};

} // namespace maml
