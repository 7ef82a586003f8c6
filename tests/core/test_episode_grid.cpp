#include "core/data/dataset_registry.h"
#include "core/data/episode.h"
#include "core/data/episode_grid.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

using namespace maml;
using maml::test::TempDir;

namespace {
Episode syntheticEpisode(int ways, int shots, int queries, int side)
{
    Episode ep;
    torch::manual_seed(1);
    ep.supportX = torch::rand({ways * shots, 1, side, side});
    ep.queryX = torch::zeros({ways * queries, 1, side, side});
    for (int e = 0; e < ways; ++e) {
        ep.classes.push_back(e);
        ep.classNames.push_back("class " + std::to_string(e));
    }
    return ep;
}
} // namespace

TEST(EpisodeGrid, LayoutHasOneRowPerClassAndEnlargesSmallImages)
{
    const Episode ep = syntheticEpisode(3, 2, 4, 28);
    const cv::Mat grid = renderEpisodeGrid(ep);
    EXPECT_EQ(grid.type(), CV_8UC3);
    // 28 px images are drawn 2x (56 px, the default minimum cell); 3 rows, 2 + 4 cells per row.
    EXPECT_GT(grid.rows, 3 * 56);
    EXPECT_GT(grid.cols, 6 * 56);
    EXPECT_LT(grid.rows, 3 * 60 + 120);
    EpisodeGridOptions large;
    large.minCellSize = 84; // 3x
    EXPECT_GT(renderEpisodeGrid(ep, large).cols, 6 * 84);
    const cv::Mat bigger = renderEpisodeGrid(syntheticEpisode(4, 2, 4, 28));
    EXPECT_GT(bigger.rows, grid.rows);
}

TEST(EpisodeGrid, AsciiLabels)
{
    EXPECT_EQ(asciiLabel("Latin/character01"), "Latin/character01");
    EXPECT_EQ(asciiLabel("\xCE\xB1"), "U+03B1");       // Greek alpha
    EXPECT_EQ(asciiLabel("a\xE2\x82\xAC"), "aU+20AC"); // euro sign
}

TEST(EpisodeGrid, WritesTheSamePngForTheSameEpisode)
{
    TempDir tmp;
    const Episode ep = syntheticEpisode(2, 1, 1, 10);
    EpisodeGridOptions o;
    o.title = "test grid";
    writeEpisodeGrid(tmp / "a.png", ep, o);
    writeEpisodeGrid(tmp / "b.png", ep, o);
    const std::string a = test::readBytes(tmp / "a.png");
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, test::readBytes(tmp / "b.png"));
    const cv::Mat back = cv::imread((tmp / "a.png").string());
    EXPECT_EQ(cv::norm(back, renderEpisodeGrid(ep, o), cv::NORM_INF), 0.0);
}
