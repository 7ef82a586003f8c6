// openAdapter: a checkpoint opened as the adapter of its kind, driven through the one interface
// the GUI and `maml-cli adapt` use.
#include "core/engine/adapter.h"
#include "core/engine/trainer.h"
#include "core/text/text_adapter.h"
#include "core/util/error.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>

#include <numeric>

namespace maml {
namespace {

namespace fs = std::filesystem;

TEST(OpenAdapter, OpensAnImageCheckpointAsAnImageAdapter)
{
    const auto dir = test::tempDir("open-adapter");
    auto c = test::tinyConfig();
    c.iterations = 1;
    Trainer::startRun(c, dir / "run").run();
    const auto checkpoint = RunPaths{dir / "run"}.last();

    auto adapter = openAdapter(checkpoint);
    EXPECT_EQ(adapter->kind(), DataKind::Images);
    EXPECT_EQ(adapter->describe(), "3-way 1-shot model of synthetic (16x16, 1 channel(s))");
    EXPECT_TRUE(adapter->dataLabels().empty());

    test::writeSyntheticPngs(dir / "images", 18, 2, 3);
    const auto classes = itemClasses(supportFromFolder(dir / "images"));
    ASSERT_EQ(classes.size(), 2u);
    adapter->setSupportItems(classes);
    std::vector<double> losses;
    adapter->adapt(2, [&](int, double loss) { losses.push_back(loss); });
    EXPECT_EQ(losses.size(), 2u);
    const auto predictions = adapter->predictItems({classes[0].items[2], classes[1].items[2]});
    ASSERT_EQ(predictions.size(), 2u);
    EXPECT_EQ(predictions[0].item, classes[0].items[2]);
    EXPECT_NEAR(
        std::accumulate(predictions[0].probabilities.begin(), predictions[0].probabilities.end(), 0.0), 1.0,
        1e-6);

    // An image model is not adapted with sentences.
    EXPECT_THROW(TextAdapter{checkpoint}, Error);
    EXPECT_THROW(openAdapter(dir / "nothing.pt"), Error);
    fs::remove_all(dir);
}

TEST(OpenAdapter, TheKindComesFromTheDataSource)
{
    EXPECT_EQ(dataKindOf("glyphs"), DataKind::Images);
    EXPECT_EQ(dataKindOf("folder:/some/where"), DataKind::Images);
    EXPECT_EQ(dataKindOf("sentiment-uci"), DataKind::Text);
    EXPECT_EQ(dataKindOf("text:/some/file.tsv"), DataKind::Text);
}

} // namespace
} // namespace maml
