// The AFINN lexicon prior (config extra "lexicon": "afinn"): lexicon words join the
// vocabulary, their scores are stored in the config and seed the embedding of a fresh model.
#include "core/engine/config_preparer.h"
#include "core/engine/model_factory.h"
#include "core/text/transformer.h"
#include "core/text/word_tokenizer.h"
#include "core/util/error.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace fs = std::filesystem;

namespace {

/// The lexicon prior a prepared config carries, by word (the JSON holds [word id, score] pairs).
std::map<std::string, double> priorByWord(const maml::ExperimentConfig& prepared)
{
    const auto tokenizer = maml::WordTokenizer::fromJson(prepared.extra["tokenizer"]);
    std::map<std::string, double> prior;
    for (const auto& entry : prepared.extra["lexiconPrior"])
        prior[tokenizer.words()[entry[0].get<size_t>()]] = entry[1].get<double>();
    return prior;
}

/// MAML_DATA_DIR pointing at a temporary folder with a small lexicon and a corpus.
class LexiconPrior : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir = fs::temp_directory_path() / ("maml-lexicon-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::path lexicon = dir / "text" / "sentiment-5.0.2" / "languages" / "en";
        fs::create_directories(lexicon);
        std::ofstream(lexicon / "labels.json")
            << R"({"good": 3, "awful": -3, "superb": 5, "not working": -3})";
        corpus = dir / "corpus.tsv";
        std::ofstream out(corpus);
        for (int i = 0; i < 12; ++i) {
            out << "a good day good film\tpositive\ta\n";
            out << "a bad day bad film\tnegative\ta\n";
        }
        if (const char* old = std::getenv("MAML_DATA_DIR"))
            saved = old;
        ::setenv("MAML_DATA_DIR", dir.c_str(), 1);
    }
    void TearDown() override
    {
        if (saved.empty())
            ::unsetenv("MAML_DATA_DIR");
        else
            ::setenv("MAML_DATA_DIR", saved.c_str(), 1);
        fs::remove_all(dir);
    }
    maml::ExperimentConfig config(const std::string& lexicon) const
    {
        maml::ExperimentConfig c;
        c.dataset = "text:" + corpus.string();
        c.trainSplit = c.valSplit = c.testSplit = "a";
        c.ways = 2;
        c.shots = 2;
        c.queries = 2;
        c.model = "transformer";
        c.extra = {{"dModel", 8},   {"heads", 2},         {"ff", 8},         {"length", 8},
                   {"minCount", 1}, {"lexicon", lexicon}, {"lexiconDims", 2}};
        return c;
    }
    fs::path dir, corpus;
    std::string saved;
};

} // namespace

TEST_F(LexiconPrior, LexiconWordsJoinVocabularyAndSeedEmbedding)
{
    auto c = config("afinn");
    maml::prepareConfig(c);
    auto tokenizer = maml::WordTokenizer::fromJson(c.extra["tokenizer"]);
    // "awful" and "superb" never occur in the corpus but are known now; the phrase is not.
    ASSERT_NE(tokenizer.id("awful"), maml::WordTokenizer::kUnk);
    ASSERT_NE(tokenizer.id("superb"), maml::WordTokenizer::kUnk);
    EXPECT_EQ(tokenizer.id("working"), maml::WordTokenizer::kUnk);
    ASSERT_EQ(c.extra["lexiconPrior"].size(), 3u);

    auto model = maml::makeModel(c);
    auto embedding = model->metaParameters().front();
    auto lexiconPart = embedding.narrow(1, 0, 2);
    EXPECT_NEAR(lexiconPart[tokenizer.id("superb")][0].item<double>(), 5 / 2.5, 1e-6);
    EXPECT_NEAR(lexiconPart[tokenizer.id("awful")][1].item<double>(), -3 / 2.5, 1e-6);
    EXPECT_NEAR(lexiconPart[tokenizer.id("good")][0].item<double>(), 3 / 2.5, 1e-6);
    // Lexicon words the corpus lacks (training never updates them) carry only their score.
    EXPECT_EQ(c.extra["lexiconOnlyFrom"].get<int64_t>(), tokenizer.id("awful"));
    EXPECT_EQ(embedding[tokenizer.id("superb")].narrow(0, 2, 6).abs().sum().item<double>(), 0.0);
    EXPECT_GT(embedding[tokenizer.id("good")].narrow(0, 2, 6).abs().sum().item<double>(), 0.0);
    // Words without a score: zero in the lexicon coordinates, random elsewhere.
    EXPECT_EQ(lexiconPart[tokenizer.id("bad")].abs().sum().item<double>(), 0.0);
    EXPECT_GT(embedding[tokenizer.id("bad")].narrow(0, 2, 6).abs().sum().item<double>(), 0.0);
}

TEST_F(LexiconPrior, WithoutLexiconNothingChanges)
{
    auto c = config("none");
    maml::prepareConfig(c);
    auto tokenizer = maml::WordTokenizer::fromJson(c.extra["tokenizer"]);
    EXPECT_EQ(tokenizer.id("awful"), maml::WordTokenizer::kUnk);
    EXPECT_FALSE(c.extra.contains("lexiconPrior"));
}

TEST_F(LexiconPrior, BadSettingsGiveClearErrors)
{
    auto c = config("vader");
    EXPECT_THROW(maml::prepareConfig(c), maml::Error);

    maml::TransformerOptions o;
    o.vocabSize = 10;
    o.dModel = 8;
    o.heads = 2;
    o.length = 4;
    maml::TransformerEncoder model(o);
    EXPECT_THROW(model.applyLexiconPrior(nlohmann::json::array({{12, 3}}), 2), maml::Error); // id outside
    EXPECT_THROW(model.applyLexiconPrior(nlohmann::json::array({{3, 3}}), 9), maml::Error);  // dims > dModel
    EXPECT_THROW(model.applyLexiconPrior(nlohmann::json{{"good", 3}}, 2), maml::Error);      // not a list

    // A missing lexicon file names what to run.
    fs::remove_all(dir / "text");
    auto missing = config("afinn");
    try {
        maml::prepareConfig(missing);
        FAIL() << "expected maml::Error";
    } catch (const maml::Error& e) {
        EXPECT_NE(std::string(e.what()).find("fetch-text-data.sh"), std::string::npos) << e.what();
    }
}

TEST_F(LexiconPrior, CorpusLexiconScoresWordsByTheLabelTheyLeanTo)
{
    // The training text says "good" is positive and "bad" negative; "day", "film" and "a" are
    // in both labels' sentences alike.
    auto c = config("corpus");
    maml::prepareConfig(c);
    auto tokenizer = maml::WordTokenizer::fromJson(c.extra["tokenizer"]);
    EXPECT_EQ(tokenizer.id("awful"), maml::WordTokenizer::kUnk); // no AFINN words
    EXPECT_FALSE(c.extra.contains("lexiconOnlyFrom"));
    auto prior = priorByWord(c);
    ASSERT_TRUE(prior.count("good") && prior.count("bad") && prior.count("film"));
    EXPECT_GT(prior["good"], 1.0);
    EXPECT_LT(prior["bad"], -1.0);
    EXPECT_NEAR(prior["good"], -prior["bad"], 1e-9);
    EXPECT_NEAR(prior["film"], 0.0, 1e-9);

    auto model = maml::makeModel(c);
    auto lexiconPart = model->metaParameters().front().narrow(1, 0, 2);
    EXPECT_NEAR(lexiconPart[tokenizer.id("good")][1].item<double>(), prior["good"] / 2.5, 1e-6);
    EXPECT_NEAR(lexiconPart[tokenizer.id("bad")][0].item<double>(), prior["bad"] / 2.5, 1e-6);

    // afinn+corpus: AFINN's words join the vocabulary; a word both know gets the sum.
    auto both = config("afinn+corpus");
    maml::prepareConfig(both);
    auto tokenizer2 = maml::WordTokenizer::fromJson(both.extra["tokenizer"]);
    ASSERT_NE(tokenizer2.id("superb"), maml::WordTokenizer::kUnk);
    auto prior2 = priorByWord(both);
    EXPECT_NEAR(prior2["good"], 3 + prior["good"], 1e-9);
    EXPECT_NEAR(prior2["superb"], 5, 1e-9);
    EXPECT_NEAR(prior2["bad"], prior["bad"], 1e-9);
}

TEST_F(LexiconPrior, CorpusLexiconLearnsFromTheTrainingSplitOnly)
{
    // Domain b says the opposite of domain a; trained on a alone, b's sentences change nothing.
    {
        std::ofstream out(corpus, std::ios::app);
        for (int i = 0; i < 12; ++i) {
            out << "good grief what a film\tnegative\tb\n";
            out << "bad to the bone\tpositive\tb\n";
        }
    }
    auto c = config("corpus");
    maml::prepareConfig(c);
    EXPECT_GT(priorByWord(c)["good"], 1.0);

    auto joined = config("corpus");
    joined.trainSplit = "a+b";
    maml::prepareConfig(joined);
    const auto joinedPrior = priorByWord(joined);
    ASSERT_TRUE(joinedPrior.count("good"));
    EXPECT_NEAR(joinedPrior.at("good"), 0.0, 1e-9); // 12 positive and 12 negative sentences hold "good"
}

TEST_F(LexiconPrior, CorpusLexiconNeedsTwoLabels)
{
    {
        std::ofstream out(corpus, std::ios::app);
        for (int i = 0; i < 12; ++i)
            out << "a fine day\tneutral\ta\n";
    }
    auto c = config("corpus");
    try {
        maml::prepareConfig(c);
        FAIL() << "expected maml::Error";
    } catch (const maml::Error& e) {
        EXPECT_NE(std::string(e.what()).find("two labels"), std::string::npos) << e.what();
    }
}
