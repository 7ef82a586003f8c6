#include "core/data/dataset_registry.h"
#include "core/data/image_folder.h"
#include "core/data/image_io.h"
#include "core/util/error.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

using namespace maml;
using maml::test::errorOf;
using maml::test::TempDir;
namespace fs = std::filesystem;

TEST(ImageFolder, ClassesAreSubfoldersWithImages)
{
    TempDir tmp;
    test::writePng(tmp / "cats/a.png", test::patternImage(40, 50, 3, 1));
    test::writePng(tmp / "cats/b.PNG", test::patternImage(40, 50, 3, 2));
    test::writePng(tmp / "dogs/c.jpg", test::patternImage(30, 30, 3, 3)); // written as JPEG
    test::writeBytes(tmp / "dogs/notes.txt", "ignored");
    fs::create_directories(tmp / "empty");
    ImageFolderDataset ds(tmp.path());
    ASSERT_EQ(ds.classCount(), 2);
    EXPECT_EQ(ds.classNames(), (std::vector<std::string>{"cats", "dogs"}));
    EXPECT_EQ(ds.imageCount(0), 2);
    EXPECT_EQ(ds.imageCount(1), 1);
    EXPECT_EQ(ds.shape(), (ImageShape{3, 84, 84}));
    EXPECT_EQ(ds.image(1, 0).sizes(), (std::vector<int64_t>{3, 84, 84}));
    EXPECT_EQ(ds.splits().size(), 1u); // only "all"
}

TEST(ImageFolder, ResizesConvertsAndKeepsColourOrder)
{
    TempDir tmp;
    cv::Mat red(8, 8, CV_8UC3, cv::Scalar(0, 0, 255)); // BGR
    test::writePng(tmp / "red/r.png", red);
    DatasetOptions o;
    o.imageSize = 4;
    auto ds = openDataset("folder:" + tmp.path().string(), o);
    const auto img = ds->image(0, 0);
    EXPECT_EQ(img.sizes(), (std::vector<int64_t>{3, 4, 4}));
    EXPECT_FLOAT_EQ(img[0].mean().item<float>(), 1.0f); // R first
    EXPECT_FLOAT_EQ(img[2].mean().item<float>(), 0.0f);
    o.channels = 1;
    EXPECT_EQ(openDataset("folder:" + tmp.path().string(), o)->image(0, 0).size(0), 1);
}

TEST(ImageFolder, SplitLayoutGivesSplits)
{
    TempDir tmp;
    for (const char* split : {"train", "val", "test"})
        for (int c = 0; c < 2; ++c)
            test::writePng(tmp / split / (std::string(split) + std::to_string(c)) / "x.png",
                           test::patternImage(10, 10, 1, c));
    ImageFolderDataset ds(tmp.path(), 16, 1);
    EXPECT_EQ(ds.classCount(), 6);
    const auto s = ds.splits();
    EXPECT_EQ(s.at("train").size(), 2u);
    EXPECT_EQ(ds.classNames()[s.at("test")[1]], "test1");
}

TEST(ImageFolder, BadInputIsAnErrorNamingTheFile)
{
    TempDir tmp;
    EXPECT_NE(errorOf([&] { ImageFolderDataset ds(tmp / "missing"); }).find("not found"), std::string::npos);
    EXPECT_NE(errorOf([&] { ImageFolderDataset ds(tmp.path()); }).find("no class folders"),
              std::string::npos);
    test::writeBytes(tmp / "broken/bad.jpg", "this is no jpeg"); // truncated JPEGs: ImageGuards
    ImageFolderDataset ds(tmp.path());
    const std::string msg = errorOf([&] { ds.image(0, 0); });
    EXPECT_NE(msg.find("bad.jpg"), std::string::npos) << msg;
    EXPECT_NE(msg.find("does not decode"), std::string::npos) << msg;
}

TEST(ImageIo, TensorRoundTrip)
{
    const cv::Mat img = test::patternImage(6, 5, 3, 4);
    const auto t = matToTensor(img, 3, 0);
    EXPECT_EQ(t.sizes(), (std::vector<int64_t>{3, 6, 5}));
    const cv::Mat back = tensorToMat(t);
    EXPECT_EQ(cv::norm(img, back, cv::NORM_INF), 0.0);
}
