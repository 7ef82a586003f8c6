// The process-wide image dataset cache: one opened dataset per spec and options, bounded.
#include "core/data/dataset_cache.h"
#include "core/util/error.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>

#include <thread>

namespace maml {
namespace {

namespace fs = std::filesystem;

TEST(DatasetCache, OpensEachSpecAndOptionsOnce)
{
    const auto dir = test::tempDir("dataset-cache");
    test::writeSyntheticPngs(dir, 0, 3, 2);
    const std::string spec = "folder:" + dir.string();
    auto& cache = DatasetCache::instance();
    EXPECT_EQ(cache.cached(spec, {16, 1}), nullptr);
    auto a = cache.open(spec, {16, 1});
    EXPECT_EQ(cache.open(spec, {16, 1}), a);
    EXPECT_EQ(sharedDataset(spec, {16, 1}), a);
    EXPECT_EQ(cache.cached(spec, {16, 1}), a);
    auto b = cache.open(spec, {20, 1});
    EXPECT_NE(b, a);
    EXPECT_EQ(b->shape().height, 20);

    // Bounded: more than kCapacity others push an unheld dataset out; a held one stays shared.
    const std::weak_ptr<const ImageDataset> weakB = b;
    b.reset();
    for (int size = 21; size < 21 + static_cast<int>(DatasetCache::kCapacity) + 1; ++size)
        cache.open(spec, {size, 1});
    EXPECT_TRUE(weakB.expired());
    EXPECT_EQ(cache.cached(spec, {20, 1}), nullptr);
    EXPECT_EQ(cache.open(spec, {16, 1}), a);
    fs::remove_all(dir);
}

TEST(DatasetCache, ThreadsOpeningTogetherShareOneDatasetOrOneError)
{
    const auto dir = test::tempDir("dataset-cache-threads");
    test::writeSyntheticPngs(dir, 0, 3, 2);
    const std::string spec = "folder:" + dir.string();
    std::shared_ptr<const ImageDataset> seen[4];
    std::vector<std::thread> threads;
    for (auto& s : seen)
        threads.emplace_back([&] { s = sharedDataset(spec, {18, 1}); });
    for (auto& t : threads)
        t.join();
    for (const auto& s : seen)
        EXPECT_EQ(s, seen[0]);
    EXPECT_THROW(sharedDataset("folder:" + (dir / "missing").string()), Error);
    EXPECT_THROW(sharedDataset("folder:" + (dir / "missing").string()), Error); // not cached
    fs::remove_all(dir);
}

} // namespace
} // namespace maml
