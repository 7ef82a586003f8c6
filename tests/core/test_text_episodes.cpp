#include "core/text/text_episode_sampler.h"
#include "core/util/error.h"

#include <gtest/gtest.h>

#include <set>

namespace {

maml::TextCorpus makeCorpus()
{
    std::vector<maml::RawText> raw;
    const char* domains[] = {"books", "food", "films"};
    for (int d = 0; d < 3; ++d)
        for (int i = 0; i < 30; ++i)
            raw.push_back(
                {std::string(domains[d]) + " sentence " + std::to_string(i) + (i % 2 ? " good" : " bad"),
                 i % 2 ? "positive" : "negative", domains[d], i + 1});
    return maml::TextCorpus("toy", "memory", raw);
}

} // namespace

TEST(TextEpisodes, EachTaskUsesOneDomainAndDisjointSets)
{
    auto corpus = makeCorpus();
    auto tok = maml::WordTokenizer::build(corpus.texts(corpus.select("all")), 1, 0, 12);
    maml::TextEpisodeSampler sampler(corpus, tok, corpus.select("all"), {2, 3, 4});
    std::set<int> domainsSeen;
    for (uint64_t seed = 0; seed < 30; ++seed) {
        auto ep = sampler.sample(seed);
        ASSERT_EQ(ep.supportX.sizes(), (std::vector<int64_t>{6, 12}));
        ASSERT_EQ(ep.queryX.sizes(), (std::vector<int64_t>{8, 12}));
        EXPECT_EQ(ep.supportX.scalar_type(), torch::kInt64);
        std::set<int> domains, used;
        for (const auto* items : {&ep.supportItems, &ep.queryItems})
            for (const auto& [label, index] : *items) {
                domains.insert(corpus.example(index).domain);
                EXPECT_EQ(corpus.example(index).label, label);
                EXPECT_TRUE(used.insert(index).second) << "sentence used twice in one episode";
            }
        EXPECT_EQ(domains.size(), 1u);
        domainsSeen.insert(*domains.begin());
        // Labels are class-major and classes[] maps them back to the corpus label.
        for (int i = 0; i < 6; ++i) {
            int e = static_cast<int>(ep.supportY[i].item<int64_t>());
            EXPECT_EQ(e, i / 3);
            EXPECT_EQ(ep.classes[e], ep.supportItems[i].first);
        }
        // The token ids are those of the sentence.
        auto first = tok.encode(corpus.example(ep.queryItems[0].second).text);
        for (int c = 0; c < 12; ++c)
            EXPECT_EQ(ep.queryX[0][c].item<int64_t>(), first[c]);
    }
    EXPECT_EQ(domainsSeen.size(), 3u);
}

TEST(TextEpisodes, SameSeedSameEpisodeAndLabelsArePermuted)
{
    auto corpus = makeCorpus();
    auto tok = maml::WordTokenizer::build(corpus.texts(corpus.select("all")));
    maml::TextEpisodeSampler sampler(corpus, tok, corpus.select("all"), {2, 1, 2});
    auto a = sampler.sample(42), b = sampler.sample(42);
    EXPECT_TRUE(torch::equal(a.supportX, b.supportX));
    EXPECT_TRUE(torch::equal(a.queryX, b.queryX));
    EXPECT_EQ(a.queryItems, b.queryItems);
    std::set<int> firstLabel;
    for (uint64_t s = 0; s < 40; ++s)
        firstLabel.insert(sampler.sample(s).classes[0]);
    EXPECT_EQ(firstLabel.size(), 2u) << "label 0 should stand for either class across episodes";
    auto batch = sampler.sampleBatch(7, 3);
    EXPECT_EQ(batch[2].queryItems, sampler.sample(maml::deriveSeed(7, 2)).queryItems);
}

TEST(TextEpisodes, PoolRestrictsDomainsAndImpossibleRequestsThrow)
{
    auto corpus = makeCorpus();
    auto tok = maml::WordTokenizer::build(corpus.texts(corpus.select("all")));
    maml::TextEpisodeSampler films(corpus, tok, corpus.select("films@train"), {2, 5, 5});
    EXPECT_EQ(films.domains(), (std::vector<int>{2}));
    for (uint64_t s = 0; s < 10; ++s)
        for (const auto& item : films.sample(s).queryItems)
            EXPECT_EQ(corpus.example(item.second).domain, 2);
    // 12 sentences per label in films@train: 10 + 5 is impossible.
    try {
        maml::TextEpisodeSampler(corpus, tok, corpus.select("films@train"), {2, 10, 5});
        FAIL() << "impossible request accepted";
    } catch (const maml::Error& e) {
        EXPECT_NE(std::string(e.what()).find("films: negative 12"), std::string::npos) << e.what();
    }
    EXPECT_THROW(maml::TextEpisodeSampler(corpus, tok, corpus.select("all"), {3, 1, 1}), maml::Error);
}
