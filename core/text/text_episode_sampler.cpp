#include "core/text/text_episode_sampler.h"

#include "core/util/error.h"

#include <torch/torch.h>

#include <algorithm>

namespace maml {
namespace {

/// Draws distinct random values with SplitMix64 (deterministic on every platform).
class Draws {
public:
    explicit Draws(uint64_t seed) : m_seed(seed) {}
    uint64_t below(uint64_t n) { return deriveSeed(m_seed, m_count++) % n; }
    /// The first `k` elements of a seeded Fisher-Yates shuffle of `items`.
    std::vector<int> choose(std::vector<int> items, int k)
    {
        for (int i = 0; i < k; ++i) {
            auto j = i + static_cast<int>(below(items.size() - static_cast<size_t>(i)));
            std::swap(items[static_cast<size_t>(i)], items[static_cast<size_t>(j)]);
        }
        items.resize(static_cast<size_t>(k));
        return items;
    }

private:
    uint64_t m_seed;
    uint64_t m_count = 0;
};

} // namespace

TextEpisodeSampler::TextEpisodeSampler(const TextCorpus& corpus, const WordTokenizer& tokenizer,
                                       const std::vector<int>& pool, EpisodeSpec spec)
    : m_corpus(corpus), m_tokenizer(tokenizer), m_spec(spec)
{
    if (spec.ways < 2 || spec.shots < 1 || spec.queries < 1)
        throw Error("impossible episode: " + std::to_string(spec.ways) + "-way " +
                        std::to_string(spec.shots) + "-shot " + std::to_string(spec.queries) + "-query",
                    corpus.name(), "use at least 2 ways, 1 shot and 1 query");
    auto labels = corpus.labelNames().size();
    m_pool.assign(corpus.domainNames().size(), std::vector<std::vector<int>>(labels));
    for (int i : pool) {
        const auto& ex = corpus.example(i);
        m_pool[static_cast<size_t>(ex.domain)][static_cast<size_t>(ex.label)].push_back(i);
    }
    std::string counts;
    for (int d = 0; d < static_cast<int>(m_pool.size()); ++d) {
        if (static_cast<int>(eligibleLabels(d).size()) >= spec.ways)
            m_domains.push_back(d);
        std::string per;
        for (size_t l = 0; l < labels; ++l)
            per += (per.empty() ? "" : ", ") + corpus.labelNames()[l] + " " +
                   std::to_string(m_pool[d][l].size());
        counts += (counts.empty() ? "" : "; ") + corpus.domainNames()[static_cast<size_t>(d)] + ": " + per;
    }
    if (m_domains.empty())
        throw Error("no domain has " + std::to_string(spec.ways) + " labels with " +
                        std::to_string(spec.shots + spec.queries) + " sentences each (K+Q)",
                    corpus.name() + " (" + counts + ")", "use fewer ways, shots or queries, or more data");
}

std::vector<int> TextEpisodeSampler::eligibleLabels(int domain) const
{
    std::vector<int> labels;
    const auto& perLabel = m_pool[static_cast<size_t>(domain)];
    for (size_t l = 0; l < perLabel.size(); ++l)
        if (static_cast<int>(perLabel[l].size()) >= m_spec.shots + m_spec.queries)
            labels.push_back(static_cast<int>(l));
    return labels;
}

torch::Tensor TextEpisodeSampler::encode(const std::vector<std::pair<int, int>>& items) const
{
    std::vector<std::string> texts;
    texts.reserve(items.size());
    for (const auto& item : items)
        texts.push_back(m_corpus.example(item.second).text);
    return m_tokenizer.encodeBatch(texts);
}

Episode TextEpisodeSampler::sample(uint64_t seed) const
{
    Draws draws(seed);
    int domain = m_domains[draws.below(m_domains.size())];
    Episode ep;
    ep.classes = draws.choose(eligibleLabels(domain), m_spec.ways);
    std::vector<int64_t> supportY, queryY;
    for (int e = 0; e < m_spec.ways; ++e) {
        int label = ep.classes[static_cast<size_t>(e)];
        ep.classNames.push_back(m_corpus.labelNames()[static_cast<size_t>(label)]);
        auto picked = draws.choose(m_pool[static_cast<size_t>(domain)][static_cast<size_t>(label)],
                                   m_spec.shots + m_spec.queries);
        for (int i = 0; i < m_spec.shots + m_spec.queries; ++i) {
            bool support = i < m_spec.shots;
            (support ? ep.supportItems : ep.queryItems).emplace_back(label, picked[static_cast<size_t>(i)]);
            (support ? supportY : queryY).push_back(e);
        }
    }
    ep.supportX = encode(ep.supportItems);
    ep.queryX = encode(ep.queryItems);
    ep.supportY = torch::tensor(supportY, torch::kInt64);
    ep.queryY = torch::tensor(queryY, torch::kInt64);
    return ep;
}

std::vector<Episode> TextEpisodeSampler::sampleBatch(uint64_t seed, int count) const
{
    std::vector<Episode> batch;
    batch.reserve(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i)
        batch.push_back(sample(deriveSeed(seed, static_cast<uint64_t>(i))));
    return batch;
}

} // namespace maml
