#include "core/text/afinn.h"
#include "core/text/text_datasets.h"
#include "core/text/text_task_source.h"
#include "core/util/error.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

fs::path tempDir(const std::string& name)
{
    fs::path dir = fs::temp_directory_path() / ("maml_text_afinn_" + std::to_string(::getpid())) / name;
    fs::create_directories(dir);
    return dir;
}

fs::path writeLexicon()
{
    auto dir = tempDir("lexicon");
    std::ofstream(dir / "labels.json") << R"({"good": 3, "great": 3, "bad": -3, "awful": -3, "fine": 1})";
    std::ofstream(dir / "negators.json") << R"({"not": 1})";
    return dir / "labels.json";
}

} // namespace

TEST(TextAfinn, ScoresWithNegationAndTies)
{
    maml::AfinnClassifier afinn(writeLexicon());
    EXPECT_EQ(afinn.words(), 5);
    EXPECT_EQ(afinn.score("A GOOD, great film!"), 6);
    EXPECT_EQ(afinn.score("not good at all"), -3);
    EXPECT_EQ(afinn.score("good but bad"), 0);
    EXPECT_TRUE(afinn.positive("fine"));
    EXPECT_FALSE(afinn.positive("good but bad")) << "a score of 0 counts as negative";
    EXPECT_FALSE(afinn.positive("no sentiment words here"));
    auto tokens = maml::AfinnClassifier::tokenize("Hello, (World)!  It's");
    EXPECT_EQ(tokens, (std::vector<std::string>{"hello", "world", "it's"}));
}

TEST(TextAfinn, MissingOrForeignLexiconGivesError)
{
    EXPECT_THROW(maml::AfinnClassifier("/no/such/labels.json"), maml::Error);
    auto dir = tempDir("foreign");
    std::ofstream(dir / "labels.json") << R"({"good": "yes"})";
    EXPECT_THROW(maml::AfinnClassifier(dir / "labels.json"), maml::Error);
}

TEST(TextAfinn, EvaluatesQuerySetsOfEpisodes)
{
    std::vector<maml::RawText> raw;
    for (int i = 0; i < 20; ++i) {
        raw.push_back({"a good thing number " + std::to_string(i), "positive", "d", i});
        raw.push_back({"an awful thing number " + std::to_string(i), "negative", "d", i});
    }
    auto corpus = std::make_shared<const maml::TextCorpus>("toy", "memory", raw);
    maml::TextTaskSource source(corpus, maml::WordTokenizer::build(corpus->texts(corpus->select("all"))),
                                "all", {2, 2, 3});
    maml::AfinnClassifier afinn(writeLexicon());
    double zeros = -1;
    auto r = afinn.evaluate(source, 20, 11, &zeros);
    EXPECT_DOUBLE_EQ(r.mean, 1.0);
    EXPECT_DOUBLE_EQ(zeros, 0.0);

    std::vector<maml::RawText> other{
        {"x", "cat", "d", 1}, {"x2", "cat", "d", 2}, {"y", "dog", "d", 3}, {"y2", "dog", "d", 4}};
    auto pets = std::make_shared<const maml::TextCorpus>("pets", "memory", other);
    maml::TextTaskSource petSource(pets, maml::WordTokenizer(), "all", {2, 0 + 1, 0 + 1});
    EXPECT_THROW(afinn.evaluate(petSource, 1, 1), maml::Error);
}

TEST(TextAfinn, RealLexiconOnAFewSentences)
{
    auto path = maml::afinnLexiconPath();
    if (!fs::exists(path))
        GTEST_SKIP() << "sentiment@5.0.2 not fetched (datasets/fetch-text-data.sh)";
    maml::AfinnClassifier afinn(path);
    EXPECT_GT(afinn.words(), 3000);
    EXPECT_TRUE(afinn.positive("I loved this film, it was wonderful."));
    EXPECT_FALSE(afinn.positive("Terrible acting and a boring plot."));
    EXPECT_FALSE(afinn.positive("I don't like it."));
}
