#include "core/data/dataset_registry.h"
#include "core/data/omniglot.h"
#include "core/util/error.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace maml;
using maml::test::errorOf;
using maml::test::TempDir;
namespace fs = std::filesystem;

namespace {
/// <root>/<alphabet>/characterNN/<i>.png, 3 images per character, 105x105 like the real set.
void writeAlphabet(const fs::path& root, const std::string& alphabet, int characters, int seed)
{
    for (int c = 1; c <= characters; ++c)
        for (int i = 0; i < 3; ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "character%02d", c);
            cv::Mat img(105, 105, CV_8UC1, cv::Scalar(255));
            // A stroke whose position identifies the character and the drawing.
            cv::rectangle(img, cv::Rect(10 + 7 * c, 5 + 20 * i, 30, 8), cv::Scalar(0), cv::FILLED);
            cv::circle(img, cv::Point(80, 80), 5 + seed, cv::Scalar(0), cv::FILLED);
            test::writePng(root / alphabet / name / (std::to_string(1000 + i) + ".png"), img);
        }
}

} // namespace

TEST(Omniglot, ClassesNamesAndImages)
{
    TempDir tmp;
    writeAlphabet(tmp / "images_background", "Latin", 3, 1);
    writeAlphabet(tmp / "images_background", "Greek", 2, 2);
    OmniglotDataset ds(tmp / "images_background");
    ASSERT_EQ(ds.classCount(), 5);
    EXPECT_EQ(ds.classNames()[0], "Greek/character01");
    EXPECT_EQ(ds.classNames()[4], "Latin/character03");
    EXPECT_EQ(ds.imageCount(4), 3);
    EXPECT_EQ(ds.shape(), (ImageShape{1, 28, 28}));
    const auto img = ds.image(2, 0);
    EXPECT_EQ(img.sizes(), (std::vector<int64_t>{1, 28, 28}));
    EXPECT_GT(img.max().item<float>(), 0.99f); // white background
    EXPECT_LT(img.min().item<float>(), 0.2f);  // black stroke
    EXPECT_NE(ds.imageSource(2, 0).find("Latin/character01/1000.png"), std::string::npos);
}

TEST(Omniglot, RotationsAreExtraClassesWithTurnedImages)
{
    TempDir tmp;
    writeAlphabet(tmp.path(), "Latin", 2, 1);
    OmniglotDataset ds(tmp.path(), 0, 0, true);
    ASSERT_EQ(ds.classCount(), 8);
    EXPECT_EQ(ds.classNames()[1], "Latin/character01/rot90");
    EXPECT_EQ(ds.classNames()[3], "Latin/character01/rot270");
    const auto base = ds.image(0, 1);
    EXPECT_TRUE(torch::equal(ds.image(1, 1), torch::rot90(base, 1, {1, 2})));
    EXPECT_TRUE(torch::equal(ds.image(2, 1), torch::rot90(base, 2, {1, 2})));
    EXPECT_FALSE(torch::equal(ds.image(1, 1), base));
    // Rotations stay in their character's split.
    for (const auto& [split, classes] : ds.splits()) {
        if (split != "all") {
            EXPECT_EQ(classes.size() % 4, 0u) << split;
        }
    }
}

TEST(Omniglot, SplitsByAlphabetAndEvaluationSetIsTest)
{
    TempDir tmp;
    writeAlphabet(tmp / "images_background", "Latin", 2, 1);  // listed: train
    writeAlphabet(tmp / "images_background", "Greek", 2, 1);  // listed: val
    writeAlphabet(tmp / "images_background", "Korean", 2, 1); // listed: test
    OmniglotDataset background(tmp / "images_background");
    auto s = background.splits();
    EXPECT_EQ(s["train"], (std::vector<int>{4, 5}));
    EXPECT_EQ(s["val"], (std::vector<int>{0, 1}));
    EXPECT_EQ(s["test"], (std::vector<int>{2, 3}));

    writeAlphabet(tmp / "images_evaluation", "Atlantean", 3, 2);
    OmniglotDataset both(tmp.path()); // the parent folder
    EXPECT_EQ(both.classCount(), 9);
    s = both.splits();
    EXPECT_EQ(s["test"].size(), 3u); // all of images_evaluation
    EXPECT_EQ(both.classNames()[s["test"][0]], "Atlantean/character01");
    EXPECT_EQ(s["train"].size(), 4u); // Latin + Korean
    EXPECT_EQ(s["val"].size(), 2u);
}

TEST(Omniglot, BadInputIsAnError)
{
    TempDir tmp;
    EXPECT_NE(errorOf([&] { OmniglotDataset ds(tmp / "missing"); }).find("not found"), std::string::npos);
    fs::create_directories(tmp / "empty/Latin/character01");
    EXPECT_NE(errorOf([&] { OmniglotDataset ds(tmp / "empty"); }).find("no character folders"),
              std::string::npos);
    writeAlphabet(tmp / "bad", "Latin", 1, 1);
    test::writeBytes(tmp / "bad/Latin/character01/1000.png", "not a png");
    OmniglotDataset ds(tmp / "bad");
    const std::string msg = errorOf([&] { ds.image(0, 0); });
    EXPECT_NE(msg.find("does not decode"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1000.png"), std::string::npos) << msg;
}

TEST(Omniglot, OpensThroughTheRegistryWithOptions)
{
    TempDir tmp;
    writeAlphabet(tmp / "images_background", "Latin", 2, 1);
    DatasetOptions o;
    o.imageSize = 20;
    o.rotations = true;
    auto ds = openDataset("omniglot:" + tmp.path().string(), o);
    EXPECT_EQ(ds->classCount(), 8);
    EXPECT_EQ(ds->image(5, 2).sizes(), (std::vector<int64_t>{1, 20, 20}));
}
