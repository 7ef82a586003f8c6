// Issue 13, item 6: a checkpoint's stored settings are validated as `train` validates a config;
// an image checkpoint on text data (and a text checkpoint on images) says that the kinds differ.
#include "core/engine/checkpoint.h"
#include "core/engine/config_preparer.h"
#include "core/engine/evaluator.h"
#include "core/engine/model_factory.h"
#include "core/util/error.h"
#include "test_maml_support.h"
#include "test_support.h"

#include <gtest/gtest.h>

namespace maml {
namespace {

namespace fs = std::filesystem;
using test::errorOf;

std::string cli(const std::string& args, int* code)
{
    std::string out;
    *code = test::runCommand(std::string(MAML_TEST_CLI) + " " + args, &out);
    return out;
}

/// Saves a checkpoint of a valid model whose stored config was then edited by `edit`.
fs::path editedCheckpoint(const fs::path& dir, const std::function<void(ExperimentConfig&)>& edit)
{
    const auto c = test::tinyConfig();
    torch::manual_seed(1);
    auto model = makeModel(c);
    CheckpointInfo info;
    info.config = c;
    edit(info.config);
    const fs::path file = dir / "edited.pt";
    saveCheckpoint(file, *model, nullptr, info);
    return file;
}

TEST(HostileCheckpoint, StoredSettingsAreValidatedOnLoad)
{
    test::TempDir dir;
    const struct {
        std::function<void(ExperimentConfig&)> edit;
        const char* expected;
    } cases[] = {
        {[](ExperimentConfig& c) { c.filters = 0; }, "filters must be in 1..1024, got 0"},
        {[](ExperimentConfig& c) { c.filters = -4; }, "filters must be in 1..1024, got -4"},
        {[](ExperimentConfig& c) { c.ways = -1; }, "ways (N) must be in 2..1000, got -1"},
        {[](ExperimentConfig& c) { c.imageSize = 100000; }, "image_size must be at most 512"},
        {[](ExperimentConfig& c) { c.innerStepsEval = -3; }, "inner_steps_eval must be in 0..1000"},
    };
    for (const auto& k : cases) {
        const fs::path file = editedCheckpoint(dir.path(), k.edit);
        for (const std::string& message :
             {errorOf([&] { readCheckpointInfo(file); }), errorOf([&] { loadModel(file); }),
              errorOf([&] { evaluateCheckpoint(file, EvalOptions{}); })}) {
            EXPECT_NE(message.find("stored settings are invalid"), std::string::npos) << message;
            EXPECT_NE(message.find(k.expected), std::string::npos) << message;
            EXPECT_NE(message.find("edited.pt"), std::string::npos) << message;
        }
    }
    int code = 0;
    const std::string out = cli("eval --checkpoint " + (dir / "edited.pt").string(), &code);
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find("stored settings are invalid"), std::string::npos) << out;
}

TEST(HostileCheckpoint, ImageAndTextCheckpointsSayTheKindsDiffer)
{
    test::TempDir dir;
    std::string tsv = "text\tlabel\n";
    for (int i = 0; i < 12; ++i)
        tsv += "a good film number " + std::to_string(i) + "\tpositive\nbad film number " +
               std::to_string(i) + "\tnegative\n";
    test::writeBytes(dir / "s.tsv", tsv);
    const std::string textSpec = "text:" + (dir / "s.tsv").string();

    // An image checkpoint on text.
    const fs::path image = editedCheckpoint(dir.path(), [](ExperimentConfig&) {});
    EvalOptions onText;
    onText.dataset = textSpec;
    std::string message = errorOf([&] { evaluateCheckpoint(image, onText); });
    EXPECT_NE(message.find("kinds of data differ"), std::string::npos) << message;
    EXPECT_NE(message.find(textSpec + " is text data"), std::string::npos) << message;

    // A text checkpoint on images.
    ExperimentConfig t = test::tinyConfig();
    t.dataset = textSpec;
    t.ways = 2;
    t.model = "transformer";
    t.extra = {{"dModel", 8}, {"heads", 2}, {"layers", 1}, {"ff", 8}, {"length", 8}};
    prepareConfig(t);
    torch::manual_seed(1);
    auto model = makeModel(t);
    CheckpointInfo info;
    info.config = t;
    const fs::path text = dir / "text.pt";
    saveCheckpoint(text, *model, nullptr, info);
    EvalOptions onImages;
    onImages.dataset = "synthetic";
    message = errorOf([&] { evaluateCheckpoint(text, onImages); });
    EXPECT_NE(message.find("kinds of data differ"), std::string::npos) << message;
    EXPECT_NE(message.find("text"), std::string::npos) << message;

    test::writeSyntheticPngs(dir / "png", 0, 2, 1);
    int code = 0;
    const std::string out = cli("adapt --checkpoint " + text.string() +
                                    " --support a=" + (dir / "png" / "class0" / "0.png").string() +
                                    " --support b=" + (dir / "png" / "class1" / "0.png").string() +
                                    " --query " + (dir / "png" / "class0" / "0.png").string(),
                                &code);
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find("kinds of data differ"), std::string::npos) << out;
}

} // namespace
} // namespace maml
