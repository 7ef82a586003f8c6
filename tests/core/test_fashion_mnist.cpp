#include "core/data/dataset_registry.h"
#include "core/data/fashion_mnist.h"
#include "core/util/error.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace maml;
using maml::test::errorOf;
using maml::test::TempDir;
namespace fs = std::filesystem;

namespace {
std::string be32(uint32_t v)
{
    return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

std::string idxImages(uint32_t count, uint32_t side, uint32_t magic = 0x803)
{
    std::string s = be32(magic) + be32(count) + be32(side) + be32(side);
    for (uint32_t i = 0; i < count * side * side; ++i)
        s += char((i / (side * side)) * 10 + i % 7);
    return s;
}

std::string idxLabels(uint32_t count, uint32_t magic = 0x801)
{
    std::string s = be32(magic) + be32(count);
    for (uint32_t i = 0; i < count; ++i)
        s += char(i % 10);
    return s;
}

/// 20 train + 10 test images of 4x4: every class gets 3 images.
void writeSet(const fs::path& dir)
{
    test::writeGzip(dir / "train-images-idx3-ubyte.gz", idxImages(20, 4));
    test::writeGzip(dir / "train-labels-idx1-ubyte.gz", idxLabels(20));
    test::writeGzip(dir / "t10k-images-idx3-ubyte.gz", idxImages(10, 4));
    test::writeGzip(dir / "t10k-labels-idx1-ubyte.gz", idxLabels(10));
}

} // namespace

TEST(FashionMnist, MergesTrainAndTestPerClass)
{
    TempDir tmp;
    writeSet(tmp.path());
    FashionMnistDataset ds(tmp.path());
    ASSERT_EQ(ds.classCount(), 10);
    EXPECT_EQ(ds.classNames()[9], "Ankle boot");
    EXPECT_EQ(ds.imageCount(3), 3);
    EXPECT_EQ(ds.totalImages(), 30);
    EXPECT_EQ(ds.shape(), (ImageShape{1, 4, 4}));
    // Class 3, image 1 = train item 13; its first pixel (byte 13*16 of the pixel data) is 13*10 + 13*16 % 7.
    EXPECT_FLOAT_EQ(ds.image(3, 1)[0][0][0].item<float>(), (13 * 10 + 13 * 16 % 7) / 255.0f);
    EXPECT_NE(ds.imageSource(3, 2).find("t10k-images-idx3-ubyte.gz image 3"), std::string::npos);
    const auto s = ds.splits();
    EXPECT_EQ(s.at("train").size(), 5u);
    EXPECT_EQ(s.at("test").size(), 5u);
}

TEST(FashionMnist, WrongMagicTruncationAndCountsAreErrorsNamingTheFile)
{
    TempDir tmp;
    writeSet(tmp.path());
    test::writeGzip(tmp / "train-images-idx3-ubyte.gz", idxImages(20, 4, 0x801));
    std::string msg = errorOf([&] { FashionMnistDataset ds(tmp.path()); });
    EXPECT_NE(msg.find("wrong magic number 0x00000801, expected 0x00000803"), std::string::npos) << msg;
    EXPECT_NE(msg.find("train-images-idx3-ubyte.gz"), std::string::npos) << msg;

    std::string cut = idxImages(20, 4);
    cut.resize(cut.size() - 5);
    test::writeGzip(tmp / "train-images-idx3-ubyte.gz", cut);
    msg = errorOf([&] { FashionMnistDataset ds(tmp.path()); });
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;

    writeSet(tmp.path());
    test::writeGzip(tmp / "t10k-labels-idx1-ubyte.gz", idxLabels(9));
    msg = errorOf([&] { FashionMnistDataset ds(tmp.path()); });
    EXPECT_NE(msg.find("9 labels but the images file 10 images"), std::string::npos) << msg;

    writeSet(tmp.path());
    test::writeBytes(tmp / "t10k-labels-idx1-ubyte.gz", "plain bytes, no gzip");
    msg = errorOf([&] { FashionMnistDataset ds(tmp.path()); });
    EXPECT_NE(msg.find("t10k-labels-idx1-ubyte.gz"), std::string::npos) << msg;

    fs::remove(tmp / "t10k-labels-idx1-ubyte.gz");
    msg = errorOf([&] { FashionMnistDataset ds(tmp.path()); });
    EXPECT_NE(msg.find("file not found"), std::string::npos) << msg;
}

TEST(FashionMnist, RealPackageWhenInstalled)
{
    if (!fs::exists(FashionMnistDataset::defaultFolder() / "train-images-idx3-ubyte.gz"))
        GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    auto ds = openDataset("fashion-mnist");
    EXPECT_EQ(ds->classCount(), 10);
    EXPECT_EQ(ds->totalImages(), 70000);
    for (int c = 0; c < 10; ++c)
        EXPECT_EQ(ds->imageCount(c), 7000);
    EXPECT_EQ(ds->shape(), (ImageShape{1, 28, 28}));
}
