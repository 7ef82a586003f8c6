// Issue 13, item 7 (the data part): an image above OpenCV's pixel limit and a truncated JPEG are
// named, not used silently or thrown raw; `datasets` and `sample` take text specs as the README
// says every command does.
#include "core/data/image_folder.h"
#include "core/data/image_io.h"
#include "core/util/error.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

namespace maml {
namespace {

namespace fs = std::filesystem;
using test::errorOf;

/// A 24-bit BMP header claiming width x height pixels, with no pixel data after it.
std::string bmpHeader(int32_t width, int32_t height)
{
    std::string h(54, '\0');
    auto put32 = [&](size_t at, uint32_t v) {
        for (int i = 0; i < 4; ++i)
            h[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    };
    h[0] = 'B';
    h[1] = 'M';
    put32(2, 54);
    put32(10, 54); // pixel data offset
    put32(14, 40); // BITMAPINFOHEADER
    put32(18, static_cast<uint32_t>(width));
    put32(22, static_cast<uint32_t>(height));
    h[26] = 1;  // planes
    h[28] = 24; // bits per pixel
    return h;
}

TEST(ImageGuards, AnImageAboveOpenCvsPixelLimitIsNamed)
{
    test::TempDir dir;
    test::writeBytes(dir / "huge.bmp", bmpHeader(50000, 50000)); // 2.5 gigapixels > 2^30
    const std::string message = errorOf([&] { loadImageFile(dir / "huge.bmp", 3, 32); });
    EXPECT_NE(message.find("huge.bmp"), std::string::npos) << message;
    EXPECT_NE(message.find("cannot be decoded"), std::string::npos) << message;
}

TEST(ImageGuards, ATruncatedJpegIsNamedAndAWholeOneDecodes)
{
    test::TempDir dir;
    std::vector<uchar> jpeg;
    ASSERT_TRUE(cv::imencode(".jpg", test::patternImage(64, 64, 3, 5), jpeg));
    const std::string whole(jpeg.begin(), jpeg.end());
    test::writeBytes(dir / "whole.jpg", whole);
    test::writeBytes(dir / "cut.jpg", whole.substr(0, whole.size() / 2));
    EXPECT_EQ(errorOf([&] { loadImageFile(dir / "whole.jpg", 3, 32); }), "(no error)");
    const std::string message = errorOf([&] { loadImageFile(dir / "cut.jpg", 3, 32); });
    EXPECT_NE(message.find("cut.jpg"), std::string::npos) << message;
    EXPECT_NE(message.find("truncated"), std::string::npos) << message;

    // Inside a folder dataset the same file is named when the episode needs it.
    fs::create_directories(dir / "ds" / "a");
    fs::create_directories(dir / "ds" / "b");
    fs::copy_file(dir / "cut.jpg", dir / "ds" / "a" / "0.jpg");
    fs::copy_file(dir / "whole.jpg", dir / "ds" / "b" / "0.jpg");
    ImageFolderDataset ds(dir / "ds", 32, 3);
    const std::string inDataset = errorOf([&] { ds.image(0, 0); });
    EXPECT_NE(inDataset.find("0.jpg"), std::string::npos) << inDataset;
}

TEST(TextSpecsEverywhere, DatasetsAndSampleTakeTextFiles)
{
    test::TempDir dir;
    std::string tsv = "text\tlabel\tdomain\n";
    for (int i = 0; i < 8; ++i)
        tsv += "a fine film " + std::to_string(i) + "\tpositive\tfilms\nan awful film " + std::to_string(i) +
               "\tnegative\tfilms\n";
    test::writeBytes(dir / "s.tsv", tsv);
    const std::string cli = MAML_TEST_CLI, spec = "text:" + (dir / "s.tsv").string();
    std::string out;
    EXPECT_EQ(test::runCommand(cli + " datasets --dataset " + spec, &out), 0) << out;
    EXPECT_NE(out.find("16 labelled sentences"), std::string::npos) << out;
    EXPECT_NE(out.find("films: negative 8 positive 8"), std::string::npos) << out;

    EXPECT_EQ(test::runCommand(cli + " sample --dataset " + spec +
                                   " --ways 2 --shots 1 --queries 2 --seed 3 --out " +
                                   (dir / "episode.txt").string(),
                               &out),
              0)
        << out;
    const std::string episode = test::readBytes(dir / "episode.txt");
    EXPECT_NE(episode.find("# support"), std::string::npos) << episode;
    EXPECT_NE(episode.find("# query"), std::string::npos) << episode;
    EXPECT_NE(episode.find("positive\t"), std::string::npos) << episode;
    EXPECT_NE(episode.find("negative\t"), std::string::npos) << episode;
    EXPECT_EQ(
        test::runCommand(cli + " sample --dataset " + spec + " --out " + (dir / "e.png").string(), &out), 1)
        << out;
    EXPECT_NE(out.find("written as text"), std::string::npos) << out;
}

} // namespace
} // namespace maml
