// checkSettings / checkExperiment: what the experiment dialog shows and `maml-cli train` checks.
#include "core/engine/experiment_check.h"
#include "core/text/transformer_options.h"
#include "core/util/error.h"
#include "test_maml_support.h"

#include <gtest/gtest.h>

#include <fstream>

namespace maml {
namespace {

namespace fs = std::filesystem;

bool contains(const std::vector<std::string>& problems, const std::string& text)
{
    for (const auto& p : problems)
        if (p.find(text) != std::string::npos)
            return true;
    return false;
}

std::string joined(const std::vector<std::string>& problems)
{
    std::string all;
    for (const auto& p : problems)
        all += p + "\n";
    return all;
}

TEST(ExperimentCheck, NamesTheProblemOfEachSplit)
{
    auto c = test::tinyConfig(); // synthetic: 12 images per class, splits of 12 / 6 / 6 classes
    EXPECT_TRUE(checkExperiment(c).empty()) << joined(checkExperiment(c));
    EXPECT_EQ(testSplitNote(c), "");

    c.shots = 10;
    c.queries = 5;
    auto problems = checkExperiment(c);
    // Training samples the training and validation splits; the test split is a note beside them.
    ASSERT_EQ(problems.size(), 2u) << joined(problems);
    EXPECT_EQ(problems[0].rfind("training split 'train': class '", 0), 0u) << problems[0];
    EXPECT_NE(problems[0].find("has 12 images; K + Q = 15"), std::string::npos) << problems[0];
    EXPECT_EQ(problems[1].rfind("validation split 'val': ", 0), 0u) << problems[1];
    EXPECT_EQ(testSplitNote(c).rfind("test split 'test': ", 0), 0u) << testSplitNote(c);

    c = test::tinyConfig();
    c.ways = 7; // the val and test splits have 6 classes
    problems = checkExperiment(c);
    ASSERT_EQ(problems.size(), 1u) << joined(problems);
    EXPECT_TRUE(contains(problems, "6 classes but the episode needs 7")) << joined(problems);
    EXPECT_NE(testSplitNote(c).find("6 classes but the episode needs 7"), std::string::npos);

    c = test::tinyConfig();
    c.valSplit = "train";
    c.ways = 7; // the training split has 12 classes: training can run, the test split cannot
    EXPECT_TRUE(checkExperiment(c).empty()) << joined(checkExperiment(c));
    const auto note = testSplitNote(c);
    EXPECT_EQ(note.rfind("test split 'test': ", 0), 0u) << note;
    EXPECT_NE(note.find("evaluate on the 'train' split"), std::string::npos) << note;
    EXPECT_EQ(note.find("maml-cli"), std::string::npos) << note; // the GUI shows it too: no CLI words

    c = test::tinyConfig();
    c.trainSplit = "nope";
    EXPECT_TRUE(contains(checkExperiment(c), "training split 'nope': unknown split 'nope'"))
        << joined(checkExperiment(c));
}

TEST(ExperimentCheck, SettingsComeFirstAndMissingDataIsOneProblem)
{
    auto c = test::tinyConfig();
    c.ways = 1;
    c.iterations = 0;
    const auto settings = checkSettings(c);
    EXPECT_TRUE(contains(settings, "ways (N) must be in 2.."));
    EXPECT_TRUE(contains(settings, "iterations must be in 1.."));
    EXPECT_EQ(checkExperiment(c), settings); // no data checks while the settings are wrong

    c = test::tinyConfig();
    c.dataset = "folder:" + (test::tempDir("check-missing") / "nothing").string();
    const auto problems = checkExperiment(c);
    EXPECT_EQ(problems.size(), 1u) << joined(problems);
}

TEST(ExperimentCheck, TextDomainsAndTransformerSettings)
{
    const auto dir = test::tempDir("check-text");
    const auto file = dir / "corpus.tsv";
    {
        std::ofstream out(file);
        out << "text\tlabel\tdomain\n";
        for (const char* domain : {"a", "b"})
            for (int i = 0; i < 20; ++i)
                out << "sentence " << domain << " " << i << "\t" << (i % 2 ? "positive" : "negative") << "\t"
                    << domain << "\n";
    }
    ExperimentConfig c;
    c.dataset = "text:" + file.string();
    c.model = "transformer";
    c.trainSplit = "a";
    c.valSplit = "b";
    c.testSplit = "b";
    c.ways = 2;
    c.shots = 2;
    c.queries = 2;
    c.extra = {{"dModel", 16}, {"heads", 2}, {"length", 8}, {"minCount", 1}};
    EXPECT_TRUE(checkExperiment(c).empty()) << joined(checkExperiment(c));

    c.trainSplit = "a+zzz";
    EXPECT_TRUE(
        contains(checkExperiment(c), "training split 'a+zzz': unknown domain \"zzz\"; known domains: a, b"))
        << joined(checkExperiment(c));
    c.trainSplit = "a";
    c.shots = 8;
    c.queries = 8; // 16 per label, a domain has 10
    EXPECT_TRUE(contains(checkExperiment(c), "sentences each (K+Q)")) << joined(checkExperiment(c));
    c.shots = c.queries = 2;
    c.extra["heads"] = 3;
    EXPECT_TRUE(contains(checkSettings(c), "divisible by heads")) << joined(checkSettings(c));
    fs::remove_all(dir);
}

TEST(TransformerOptionsConfig, WritesAndReadsTheTextModelsSettings)
{
    ExperimentConfig c;
    c.extra = {{"tokenizer", {{"type", "word"}}},
               {"lexiconPrior", {{5, 3}}},
               {"lexiconOnlyFrom", 5},
               {"maxWords", 900}};
    TransformerOptions o;
    o.dModel = 64;
    o.heads = 8;
    o.head = "flatten";
    o.minCount = 3;
    o.lexicon = "afinn";
    o.lexiconDims = 32;
    o.toConfig(c);
    EXPECT_EQ(c.model, "transformer");
    EXPECT_FALSE(c.extra.contains("tokenizer")); // rebuilt when a run starts
    EXPECT_FALSE(c.extra.contains("lexiconPrior"));
    EXPECT_FALSE(c.extra.contains("lexiconOnlyFrom"));
    EXPECT_EQ(c.extra["maxWords"], 900); // other settings stay
    EXPECT_EQ(c.extra["lexicon"], "afinn");
    EXPECT_EQ(c.extra["lexiconDims"], 32);
    const auto back = TransformerOptions::readConfig(c);
    EXPECT_EQ(back.dModel, 64);
    EXPECT_EQ(back.heads, 8);
    EXPECT_EQ(back.head, "flatten");
    EXPECT_EQ(back.minCount, 3);
    EXPECT_EQ(back.lexicon, "afinn");
    EXPECT_EQ(back.lexiconDims, 32);
    EXPECT_EQ(TransformerOptions::fromConfig(c, 10).dModel, 64);

    // The lexicon settings are checked with the others.
    c.extra["lexiconDims"] = 65; // more than dModel
    EXPECT_THROW(TransformerOptions::fromConfig(c, 10), Error);
    c.extra["lexicon"] = "none"; // unused without a lexicon
    EXPECT_EQ(TransformerOptions::fromConfig(c, 10).lexicon, "none");
    c.extra["lexicon"] = "vader";
    EXPECT_THROW(TransformerOptions::fromConfig(c, 10), Error);
    EXPECT_EQ(TransformerOptions::readConfig(c).lexicon, "vader"); // shown as it is
    c.extra["lexicon"] = "afinn";
    c.extra["lexiconDims"] = 64;

    c.extra["dModel"] = "wide";
    EXPECT_EQ(TransformerOptions::readConfig(c).dModel, 256); // an editor keeps going
    EXPECT_THROW(TransformerOptions::fromConfig(c, 10), Error);
}

} // namespace
} // namespace maml
