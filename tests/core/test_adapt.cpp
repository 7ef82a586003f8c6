// Adapting a checkpoint to a user's own image files.
#include "core/engine/adapter.h"
#include "core/engine/trainer.h"
#include "core/util/error.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>

#include <numeric>

namespace maml {
namespace {

namespace fs = std::filesystem;

TEST(Adapt, AdaptsToImageFilesAndPredictsProbabilities)
{
    const auto dir = test::tempDir("adapt");
    auto c = test::tinyConfig();
    c.iterations = 3;
    Trainer::startRun(c, dir / "run").run();
    // Three unseen (test-split) classes as PNG files.
    test::writeSyntheticPngs(dir / "images", 18, 3, 4);
    const auto classes = supportFromFolder(dir / "images");
    ASSERT_EQ(classes.size(), 3u);

    ImageAdapter adapter(RunPaths{dir / "run"}.last());
    EXPECT_EQ(adapter.imageSize(), 16);
    std::vector<SupportClass> support;
    std::vector<fs::path> queries;
    for (const auto& cls : classes) {
        support.push_back({cls.name, {cls.files[0]}});
        queries.insert(queries.end(), cls.files.begin() + 1, cls.files.end());
    }
    adapter.setSupport(support);
    const auto before = adapter.predict(queries);
    std::vector<double> losses;
    adapter.adapt(5, [&](int step, double loss) { losses.push_back(loss); });
    ASSERT_EQ(losses.size(), 5u);
    EXPECT_LT(losses.back(), losses.front()); // the support loss goes down
    EXPECT_TRUE(adapter.adapted());
    const auto after = adapter.predict(queries);
    ASSERT_EQ(after.size(), queries.size());
    for (const auto& p : after) {
        ASSERT_EQ(p.probabilities.size(), 3u);
        EXPECT_NEAR(std::accumulate(p.probabilities.begin(), p.probabilities.end(), 0.0), 1.0, 1e-6);
        EXPECT_EQ(p.className, adapter.classNames()[p.label]);
    }
    adapter.reset();
    const auto again = adapter.predict(queries);
    for (size_t i = 0; i < before.size(); ++i)
        EXPECT_EQ(before[i].probabilities, again[i].probabilities);
    fs::remove_all(dir);
}

TEST(Adapt, BadSupportSetsAreRejected)
{
    const auto dir = test::tempDir("adapt-bad");
    auto c = test::tinyConfig();
    c.iterations = 1;
    Trainer::startRun(c, dir / "run").run();
    test::writeSyntheticPngs(dir / "images", 0, 4, 1);
    ImageAdapter adapter(RunPaths{dir / "run"}.last());
    EXPECT_THROW(adapter.setSupport(supportFromFolder(dir / "images")), Error); // 4 classes > 3-way
    EXPECT_THROW(adapter.setSupport({{"a", {dir / "missing.png"}}, {"b", {dir / "missing.png"}}}), Error);
    EXPECT_THROW(adapter.setSupport({{"a", {}}, {"b", {dir / "x.png"}}}), Error);
    EXPECT_THROW(adapter.adapt(), Error); // no support set yet
    EXPECT_THROW(supportFromFolder(dir / "nothing"), Error);
    EXPECT_THROW(ImageAdapter(dir / "nothing.pt"), Error);
    fs::remove_all(dir);
}

} // namespace
} // namespace maml
