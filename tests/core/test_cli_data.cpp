// Runs the real maml-cli binary on data the test writes.
#include "test_support.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

using maml::test::TempDir;
namespace fs = std::filesystem;

namespace {
/// folder:DIR with 6 classes of 4 small images each.
fs::path writeFolderDataset(const TempDir& tmp)
{
    for (int c = 0; c < 6; ++c)
        for (int i = 0; i < 4; ++i)
            maml::test::writePng(tmp / "data" / ("class" + std::to_string(c)) / (std::to_string(i) + ".png"),
                                 maml::test::patternImage(20, 20, 3, c * 10 + i));
    return tmp / "data";
}

std::string cli(const TempDir& tmp, const std::string& args)
{
    // Keep the log file and cache inside the temporary folder.
    return "XDG_STATE_HOME=" + (tmp / "state").string() + " XDG_CACHE_HOME=" + (tmp / "cache").string() +
           " " + MAML_TEST_CLI + " " + args;
}
} // namespace

TEST(CliData, SampleIsByteIdenticalForTheSameSeed)
{
    TempDir tmp;
    const fs::path data = writeFolderDataset(tmp);
    const std::string args = "sample --dataset folder:" + data.string() +
                             " --split all --ways 3 --shots 1 --queries 2 --seed 7 --image-size 32 --out ";
    std::string out;
    ASSERT_EQ(maml::test::runCommand(cli(tmp, args + (tmp / "a.png").string()), &out), 0) << out;
    EXPECT_NE(out.find("3-way 1-shot 2-query, seed 7"), std::string::npos) << out;
    ASSERT_EQ(maml::test::runCommand(cli(tmp, args + (tmp / "b.png").string()), &out), 0) << out;
    const std::string a = maml::test::readBytes(tmp / "a.png");
    EXPECT_EQ(a, maml::test::readBytes(tmp / "b.png"));
    EXPECT_FALSE(cv::imread((tmp / "a.png").string()).empty());
    const std::string other = "sample --dataset folder:" + data.string() +
                              " --split all --ways 3 --shots 1 --queries 2 --seed 8 --image-size 32 --out ";
    ASSERT_EQ(maml::test::runCommand(cli(tmp, other + (tmp / "c.png").string()), &out), 0) << out;
    EXPECT_NE(a, maml::test::readBytes(tmp / "c.png"));
}

TEST(CliData, ImpossibleEpisodeExitsWithOneAndAClearMessage)
{
    TempDir tmp;
    const fs::path data = writeFolderDataset(tmp);
    std::string out;
    const std::string base =
        "sample --dataset folder:" + data.string() + " --out " + (tmp / "x.png").string();
    EXPECT_EQ(maml::test::runCommand(cli(tmp, base + " --ways 3 --shots 3 --queries 2"), &out), 1);
    EXPECT_NE(out.find("has 4 images; K + Q = 5"), std::string::npos) << out;
    EXPECT_EQ(maml::test::runCommand(cli(tmp, base + " --ways 7"), &out), 1);
    EXPECT_NE(out.find("needs 7"), std::string::npos) << out;
    EXPECT_EQ(maml::test::runCommand(cli(tmp, base + " --classes class1,nope"), &out), 1);
    EXPECT_NE(out.find("no class named 'nope'"), std::string::npos) << out;
    EXPECT_EQ(maml::test::runCommand(cli(tmp, "sample --dataset folder:/no/such/dir --out x.png"), &out), 1);
    EXPECT_NE(out.find("image folder not found"), std::string::npos) << out;
    EXPECT_FALSE(fs::exists(tmp / "x.png"));
}

TEST(CliData, DatasetsDescribesAFolder)
{
    TempDir tmp;
    const fs::path data = writeFolderDataset(tmp);
    std::string out;
    ASSERT_EQ(
        maml::test::runCommand(cli(tmp, "datasets --dataset folder:" + data.string() + " --classes"), &out),
        0)
        << out;
    EXPECT_NE(out.find("6       24       3x84x84"), std::string::npos) << out;
    EXPECT_NE(out.find("class5 (4)"), std::string::npos) << out;
}

TEST(CliData, FetchRejectsOtherDatasetsAndBadUrls)
{
    TempDir tmp;
    std::string out;
    EXPECT_EQ(maml::test::runCommand(cli(tmp, "fetch omniglot"), &out), 1);
    EXPECT_NE(out.find("Only cifar100"), std::string::npos) << out;
    const std::string fetch =
        "fetch cifar100 --dir " + (tmp / "c").string() + " --url file://" + (tmp / "missing.tar.gz").string();
    EXPECT_EQ(maml::test::runCommand(cli(tmp, fetch), &out), 1);
    EXPECT_NE(out.find("error: the download failed"), std::string::npos) << out;
}
