#include "core/data/converted_dataset.h"
#include "core/data/dataset_registry.h"
#include "core/util/error.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace maml;
using maml::test::errorOf;
using maml::test::TempDir;

TEST(Registry, UnknownOrIncompleteSpecsAreErrors)
{
    EXPECT_NE(errorOf([] { openDataset("mnist"); }).find("Known datasets: glyphs"), std::string::npos);
    EXPECT_NE(errorOf([] { openDataset("folder"); }).find("folder needs a path"), std::string::npos);
    EXPECT_NE(errorOf([] { openDataset("folder:"); }).find("empty folder"), std::string::npos);
    DatasetOptions o;
    o.channels = 2;
    EXPECT_NE(errorOf([&] { openDataset("glyphs", o); }).find("channels must be 1 or 3"), std::string::npos);
    TempDir tmp;
    EXPECT_NE(
        errorOf([&] { openDataset("cifar100:" + (tmp / "none").string()); }).find("maml-cli fetch cifar100"),
        std::string::npos);
}

TEST(Registry, KnownDatasetsListsAllFive)
{
    TempDir cache;
    DatasetOptions o;
    o.cacheDir = cache.path();
    const auto infos = knownDatasets(o);
    ASSERT_EQ(infos.size(), 5u);
    EXPECT_EQ(infos[0].spec, "glyphs");
    EXPECT_EQ(infos[1].spec, "fashion-mnist");
    EXPECT_EQ(infos[2].spec, "cifar100");
    EXPECT_FALSE(infos[2].available); // empty cache
    EXPECT_NE(infos[2].howToGet.find("maml-cli fetch cifar100"), std::string::npos);
    EXPECT_EQ(infos[3].spec.rfind("omniglot:", 0), 0u);
    EXPECT_EQ(infos[4].spec, "folder:DIR");
    test::writeCifarFolder(cache / "cifar100", 1, 0);
    EXPECT_TRUE(knownDatasets(o)[2].available);
}

TEST(Registry, DefaultCacheDirFollowsXdg)
{
    const char* old = std::getenv("XDG_CACHE_HOME");
    const std::string saved = old ? old : "";
    setenv("XDG_CACHE_HOME", "/tmp/xdg-test", 1);
    EXPECT_EQ(defaultCacheDir(), std::filesystem::path("/tmp/xdg-test/maml-workbench"));
    if (old)
        setenv("XDG_CACHE_HOME", saved.c_str(), 1);
    else
        unsetenv("XDG_CACHE_HOME");
}

TEST(Registry, OmniglotIsLookedForOnlyWhereTheUserSaid)
{
    // Not beside the source tree (../shared/datasets/omniglot was once a fallback): only
    // $MAML_OMNIGLOT_DIR, then <cache>/omniglot.
    TempDir cache, named;
    DatasetOptions o;
    o.cacheDir = cache.path();
    const char* old = std::getenv("MAML_OMNIGLOT_DIR");
    const std::string saved = old ? old : "";
    unsetenv("MAML_OMNIGLOT_DIR");
    EXPECT_FALSE(knownDatasets(o)[3].available);
    EXPECT_EQ(knownDatasets(o)[3].location, (cache / "omniglot").string());
    EXPECT_NE(errorOf([&] { openDataset("omniglot", o); }).find("MAML_OMNIGLOT_DIR"), std::string::npos);
    std::filesystem::create_directories(named / "images_background");
    setenv("MAML_OMNIGLOT_DIR", named.path().c_str(), 1);
    EXPECT_TRUE(knownDatasets(o)[3].available);
    EXPECT_EQ(knownDatasets(o)[3].spec, "omniglot:" + named.path().string());
    if (old)
        setenv("MAML_OMNIGLOT_DIR", saved.c_str(), 1);
    else
        unsetenv("MAML_OMNIGLOT_DIR");
}

TEST(Registry, ConvertedDatasetChangesChannelsAndSize)
{
    TempDir tmp;
    test::writePng(tmp / "a/x.png", test::patternImage(12, 12, 1, 1));
    DatasetOptions o;
    o.imageSize = 12;
    o.channels = 1;
    auto inner = openDataset("folder:" + tmp.path().string(), o);
    const auto gray = inner->image(0, 0);
    auto ds = convertedTo(std::move(inner), {3, 6, 6});
    const auto rgb = ds->image(0, 0);
    EXPECT_EQ(rgb.sizes(), (std::vector<int64_t>{3, 6, 6}));
    EXPECT_TRUE(torch::equal(rgb[0], rgb[2]));
    EXPECT_NEAR(rgb.mean().item<float>(), gray.mean().item<float>(), 1e-4);
}
