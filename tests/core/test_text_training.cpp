// A short MAML run of the Transformer on an easy synthetic text corpus, through the engine
// (trainer, checkpoint, evaluator, adapter) and the CLI, as a user would run it.
#include "core/engine/checkpoint.h"
#include "core/engine/evaluator.h"
#include "core/engine/trainer.h"
#include "core/text/text_adapter.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

/// Five domains with their own filler words; the sentiment words p0..p11 / n0..n11 are
/// shared. A sentence holds 4 fillers and 2 sentiment words of its label.
fs::path writeSyntheticCorpus(const fs::path& dir)
{
    fs::create_directories(dir);
    fs::path file = dir / "synthetic.tsv";
    std::ofstream out(file);
    out << "text\tlabel\tdomain\n";
    uint64_t state = 12345;
    auto next = [&](int n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<int>((state >> 33) % static_cast<uint64_t>(n));
    };
    for (char domain : std::string("abcde"))
        for (int i = 0; i < 120; ++i) {
            bool positive = i % 2;
            std::string s;
            for (int w = 0; w < 6; ++w) {
                bool sentiment = w == 1 || w == 4;
                std::string word = sentiment ? std::string(positive ? "p" : "n") + std::to_string(next(12))
                                             : std::string(1, domain) + "f" + std::to_string(next(15));
                s += (w ? " " : "") + word;
            }
            out << s << "\t" << (positive ? "positive" : "negative") << "\t" << domain << "\n";
        }
    return file;
}

maml::ExperimentConfig tinyConfig(const fs::path& corpus)
{
    maml::ExperimentConfig c;
    c.dataset = "text:" + corpus.string();
    c.trainSplit = "a+b+c";
    c.valSplit = "d";
    c.testSplit = "e";
    c.ways = 2;
    c.shots = 2;
    c.queries = 6;
    c.model = "transformer";
    c.innerStepsTrain = 2;
    c.innerStepsEval = 5;
    c.innerLr = 0.1;
    c.metaLr = 3e-3;
    c.metaBatch = 4;
    c.iterations = 150;
    c.valEvery = 150;
    c.valEpisodes = 10;
    c.evalEpisodes = 100;
    c.threads = 2;
    c.extra = {{"dModel", 16},   {"heads", 2},   {"layers", 1},  {"ff", 32},
               {"head", "mean"}, {"length", 16}, {"minCount", 1}};
    return c;
}

std::string runCommand(const std::string& command)
{
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return output;
    char buffer[512];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
        output.append(buffer, n);
    ::pclose(pipe);
    return output;
}

} // namespace

TEST(TextTraining, MetaLearnedTransformerBeatsBaselineAndAdaptsToTypedSentences)
{
    fs::path dir = fs::temp_directory_path() / ("maml_text_training_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    auto corpus = writeSyntheticCorpus(dir);
    {
        auto trainer = maml::Trainer::startRun(tinyConfig(corpus), dir / "run");
        auto summary = trainer.run(nullptr, nullptr);
        ASSERT_EQ(summary.iterationsDone, 150);
    }
    fs::path checkpoint = dir / "run" / "checkpoints" / "last.pt";
    // The vocabulary travels with the checkpoint.
    auto info = maml::readCheckpointInfo(checkpoint);
    ASSERT_TRUE(info.config.extra.contains("tokenizer"));
    EXPECT_GT(info.config.extra["tokenizer"]["words"].size(), 60u);

    maml::EvalOptions options;
    options.episodes = 100;
    auto r = maml::evaluateCheckpoint(checkpoint, options);
    ASSERT_TRUE(r.hasBaseline);
    std::printf("synthetic text: MAML %.3f +- %.3f, baseline %.3f +- %.3f\n", r.accuracy.mean,
                r.accuracy.ci95, r.baselineAccuracy.mean, r.baselineAccuracy.ci95);
    EXPECT_GT(r.accuracy.mean, r.baselineAccuracy.mean + 0.15);
    EXPECT_GT(r.accuracy.mean, 0.8);

    // Adapting to typed-in sentences (the GUI's text mode calls the same TextAdapter).
    maml::TextAdapter adapter(checkpoint);
    adapter.setSupport({{"happy", {"ef1 p1 ef2 ef3 p5 ef4", "ef7 p2 ef1 ef9 p8 ef3"}},
                        {"sad", {"ef1 n1 ef2 ef3 n5 ef4", "ef7 n2 ef1 ef9 n8 ef3"}}});
    adapter.adapt();
    auto preds = adapter.predict({"ef5 p3 ef6 ef8 p9 ef2", "ef5 n3 ef6 ef8 n9 ef2"});
    ASSERT_EQ(preds.size(), 2u);
    EXPECT_EQ(preds[0].className, "happy");
    EXPECT_EQ(preds[1].className, "sad");
    EXPECT_NEAR(preds[0].probabilities[0] + preds[0].probabilities[1], 1.0, 1e-5);

    // The same through the CLI.
    std::string cli = std::string(MAML_TEST_CLI) + " adapt --checkpoint " + checkpoint.string() +
                      " --support-text 'happy=ef1 p1 ef2 ef3 p5 ef4|ef7 p2 ef1 ef9 p8 ef3'" +
                      " --support-text 'sad=ef1 n1 ef2 ef3 n5 ef4|ef7 n2 ef1 ef9 n8 ef3'" +
                      " --query-text 'ef5 p3 ef6 ef8 p9 ef2' --json 2>/dev/null";
    auto out = runCommand(cli);
    auto json = nlohmann::json::parse(out, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << out;
    EXPECT_EQ(json["predictions"][0]["predicted"], "happy") << out;
    EXPECT_EQ(json["classes"], (nlohmann::json{"happy", "sad"}));
    fs::remove_all(dir);
}
