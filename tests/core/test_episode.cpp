// Sampler invariants on a synthetic dataset whose pixels encode (class, index).
#include "core/data/episode.h"
#include "core/util/error.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

using maml::test::errorOf;

using namespace maml;

namespace {
/// Image (c, i) is a 1x2x2 tensor filled with c * 1000 + i, so every item can be traced back.
class CountingDataset final : public ImageDataset {
public:
    CountingDataset(int classes, int perClass) : m_perClass(classes, perClass)
    {
        for (int c = 0; c < classes; ++c)
            m_names.push_back("class" + std::to_string(c));
    }
    std::string name() const override { return "counting"; }
    std::string location() const override { return "memory"; }
    const std::vector<std::string>& classNames() const override { return m_names; }
    int imageCount(int cls) const override { return m_perClass.at(cls); }
    ImageShape shape() const override { return {1, 2, 2}; }
    torch::Tensor image(int cls, int index) const override
    {
        return torch::full({1, 2, 2}, static_cast<float>(cls * 1000 + index));
    }
    std::string imageSource(int cls, int index) const override
    {
        return std::to_string(cls) + "/" + std::to_string(index);
    }
    std::vector<int> m_perClass;

private:
    std::vector<std::string> m_names;
};

std::vector<int> range(int n)
{
    std::vector<int> v(n);
    for (int i = 0; i < n; ++i)
        v[i] = i;
    return v;
}

} // namespace

TEST(EpisodeSampler, ShapesCountsAndLabels)
{
    CountingDataset ds(12, 10);
    EpisodeSampler sampler(ds, range(12), {5, 2, 3});
    const Episode ep = sampler.sample(1);
    EXPECT_EQ(ep.supportX.sizes(), (std::vector<int64_t>{10, 1, 2, 2}));
    EXPECT_EQ(ep.queryX.sizes(), (std::vector<int64_t>{15, 1, 2, 2}));
    ASSERT_EQ(ep.ways(), 5);
    for (int e = 0; e < 5; ++e) {
        EXPECT_EQ(ep.supportY.eq(e).sum().item<int64_t>(), 2);
        EXPECT_EQ(ep.queryY.eq(e).sum().item<int64_t>(), 3);
        EXPECT_EQ(ep.classNames[e], "class" + std::to_string(ep.classes[e]));
    }
    // Every image belongs to the class its label stands for, and items match the tensors.
    for (int i = 0; i < 10; ++i) {
        const int label = static_cast<int>(ep.supportY[i].item<int64_t>());
        const auto [cls, idx] = ep.supportItems[i];
        EXPECT_EQ(cls, ep.classes[label]);
        EXPECT_EQ(ep.supportX[i][0][0][0].item<float>(), cls * 1000 + idx);
    }
}

TEST(EpisodeSampler, SupportAndQueryAreDisjointAndClassesDistinct)
{
    CountingDataset ds(8, 6);
    EpisodeSampler sampler(ds, range(8), {4, 3, 3});
    for (uint64_t seed = 0; seed < 50; ++seed) {
        const Episode ep = sampler.sample(seed);
        std::set<std::pair<int, int>> support(ep.supportItems.begin(), ep.supportItems.end());
        EXPECT_EQ(support.size(), ep.supportItems.size());
        for (const auto& q : ep.queryItems)
            EXPECT_EQ(support.count(q), 0u) << "seed " << seed;
        EXPECT_EQ(std::set<int>(ep.classes.begin(), ep.classes.end()).size(), 4u);
    }
}

TEST(EpisodeSampler, LabelsArePermutedAcrossEpisodes)
{
    CountingDataset ds(5, 4);
    EpisodeSampler sampler(ds, range(5), {5, 1, 1});
    std::set<std::vector<int>> orders;
    for (uint64_t seed = 0; seed < 40; ++seed) {
        auto classes = sampler.sample(seed).classes;
        std::vector<int> sorted = classes;
        std::sort(sorted.begin(), sorted.end());
        EXPECT_EQ(sorted, range(5)); // a permutation of the pool
        orders.insert(classes);
    }
    EXPECT_GT(orders.size(), 10u); // not the same order every time
}

TEST(EpisodeSampler, SameSeedSameEpisodeDifferentSeedDifferent)
{
    CountingDataset ds(20, 30);
    EpisodeSampler sampler(ds, range(20), {5, 5, 5});
    const Episode a = sampler.sample(123), b = sampler.sample(123), c = sampler.sample(124);
    EXPECT_TRUE(torch::equal(a.supportX, b.supportX));
    EXPECT_TRUE(torch::equal(a.queryX, b.queryX));
    EXPECT_TRUE(torch::equal(a.supportY, b.supportY));
    EXPECT_EQ(a.queryItems, b.queryItems);
    EXPECT_FALSE(a.supportItems == c.supportItems && a.queryItems == c.queryItems);
}

TEST(EpisodeSampler, ImpossibleRequestsThrowNamingTheProblem)
{
    CountingDataset ds(4, 5);
    ds.m_perClass[2] = 3;
    EXPECT_NE(errorOf([&] { EpisodeSampler(ds, range(4), {5, 1, 1}); }).find("needs 5"), std::string::npos);
    EXPECT_NE(errorOf([&] {
                  EpisodeSampler(ds, range(4), {3, 2, 2});
              }).find("class 'class2' has 3 images; K + Q = 4"),
              std::string::npos);
    EXPECT_THROW(EpisodeSampler(ds, range(4), {1, 1, 1}), Error);
    EXPECT_THROW(EpisodeSampler(ds, range(4), {2, 0, 1}), Error);
    EXPECT_THROW(EpisodeSampler(ds, {0, 9}, {2, 1, 1}), Error);
}

TEST(EpisodeSampler, StudyBatchShapeAndPrefetcherMatchesSampleBatch)
{
    CountingDataset ds(10, 8);
    EpisodeSampler sampler(ds, range(10), {3, 2, 1});
    const StudyBatch b = sampleStudyBatch(sampler, 5, 2, 3, 4);
    EXPECT_EQ(b.supportX.sizes(), (std::vector<int64_t>{2, 3, 4, 6, 1, 2, 2}));
    EXPECT_EQ(b.supportY.sizes(), (std::vector<int64_t>{2, 3, 4, 6}));
    EXPECT_EQ(b.queryX.sizes(), (std::vector<int64_t>{2, 3, 4, 3, 1, 2, 2}));
    EXPECT_TRUE(
        torch::equal(b.supportX[1][2][3], sampler.sample(deriveSeed(5, 1 * 12 + 2 * 4 + 3)).supportX));

    EpisodePrefetcher prefetcher(sampler, 77, 4, 0, 2);
    for (uint64_t i = 0; i < 3; ++i) {
        const auto got = prefetcher.next();
        const auto want = sampler.sampleBatch(deriveSeed(77, i), 4);
        ASSERT_EQ(got.size(), 4u);
        for (size_t k = 0; k < 4; ++k)
            EXPECT_TRUE(torch::equal(got[k].queryX, want[k].queryX));
    }
}
