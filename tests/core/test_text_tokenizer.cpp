#include "core/text/word_tokenizer.h"
#include "core/util/error.h"

#include <gtest/gtest.h>

using maml::WordTokenizer;

TEST(TextTokenizer, SplitsLowerCasedWordsAndPunctuation)
{
    auto t = WordTokenizer::split("Great film, didn't LOVE it!! 'Really'");
    std::vector<std::string> expected{"great", "film", ",", "didn't", "love", "it", "!", "!", "really"};
    EXPECT_EQ(t, expected);
}

TEST(TextTokenizer, BuildsVocabularyByFrequencyWithMinCount)
{
    auto tok = WordTokenizer::build({"good good bad", "good movie", "bad ugly"}, /*minCount=*/2);
    ASSERT_EQ(tok.vocabSize(), 4); // [PAD] [UNK] good bad
    EXPECT_EQ(tok.words()[0], "[PAD]");
    EXPECT_EQ(tok.words()[1], "[UNK]");
    EXPECT_EQ(tok.id("good"), 2);
    EXPECT_EQ(tok.id("bad"), 3);
    EXPECT_EQ(tok.id("movie"), WordTokenizer::kUnk);
    auto capped = WordTokenizer::build({"a a a b b c"}, 1, /*maxWords=*/2);
    EXPECT_EQ(capped.vocabSize(), 4);
    EXPECT_EQ(capped.id("c"), WordTokenizer::kUnk);
}

TEST(TextTokenizer, PadsCutsAndMarksUnknownWords)
{
    auto tok = WordTokenizer::build({"the film was good", "the film was bad"}, 1, 0, /*length=*/6);
    auto ids = tok.encode("The FILM was wonderful");
    ASSERT_EQ(ids.size(), 6u);
    EXPECT_EQ(ids[0], tok.id("the"));
    EXPECT_EQ(ids[3], WordTokenizer::kUnk);
    EXPECT_EQ(ids[4], WordTokenizer::kPad);
    EXPECT_EQ(ids[5], WordTokenizer::kPad);
    auto cut = tok.encode("good good good good good good good good");
    EXPECT_EQ(cut.size(), 6u);
    EXPECT_EQ(cut[5], tok.id("good"));
    auto batch = tok.encodeBatch({"good", "the film was bad"});
    EXPECT_EQ(batch.sizes(), (std::vector<int64_t>{2, 6}));
    EXPECT_EQ(batch.scalar_type(), torch::kInt64);
    EXPECT_EQ(batch[1][3].item<int64_t>(), tok.id("bad"));
    EXPECT_EQ(tok.decode(ids), "the film was [UNK]");
}

TEST(TextTokenizer, JsonRoundTripKeepsEveryId)
{
    auto tok = WordTokenizer::build({"one two two three three three"}, 1, 0, 16);
    auto back = WordTokenizer::fromJson(nlohmann::json::parse(tok.toJson().dump()));
    EXPECT_EQ(back.words(), tok.words());
    EXPECT_EQ(back.length(), 16);
    EXPECT_EQ(back.encode("three two one four"), tok.encode("three two one four"));
}

TEST(TextTokenizer, DamagedJsonGivesClearError)
{
    EXPECT_THROW(WordTokenizer::fromJson(nlohmann::json{{"type", "bpe"}}), maml::Error);
    auto j = WordTokenizer().toJson();
    j["words"] = {"a", "b"};
    EXPECT_THROW(WordTokenizer::fromJson(j), maml::Error);
    j = WordTokenizer::build({"x y"}).toJson();
    j["words"].push_back("x");
    try {
        WordTokenizer::fromJson(j);
        FAIL() << "duplicate word accepted";
    } catch (const maml::Error& e) {
        EXPECT_NE(std::string(e.what()).find("twice"), std::string::npos) << e.what();
    }
}
