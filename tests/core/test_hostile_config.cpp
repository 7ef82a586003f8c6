// Issue 13, item 5: hostile configs, JSON and text get clear messages naming the file, never a
// crash (a stack overflow, a raw nlohmann exception, a stall).
#include "core/engine/metrics_log.h"
#include "core/engine/threads.h"
#include "core/engine/trainer.h"
#include "core/text/text_readers.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_limits.h"
#include "core/util/utf8.h"
#include "test_maml_support.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <thread>

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

std::string deeplyNested(int levels)
{
    return "{\"extra\": {\"x\": " + std::string(levels, '[') + std::string(levels, ']') + "}}";
}

TEST(HostileConfig, DeepNestingIsRefusedWithTheFileNamed)
{
    test::TempDir dir;
    test::writeBytes(dir / "deep.json", deeplyNested(100000));
    const std::string message = errorOf([&] { loadConfig((dir / "deep.json").string()); });
    EXPECT_NE(message.find("nested more than 64 levels"), std::string::npos) << message;
    EXPECT_NE(message.find("deep.json"), std::string::npos) << message;
    // The CLI: exit 1 with the message, not 139 (a stack overflow while copying the value).
    int code = 0;
    const std::string out =
        cli("train --config " + (dir / "deep.json").string() + " --run-dir " + (dir / "run").string(), &code);
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find("nested more than 64 levels"), std::string::npos) << out;
    // A run whose config.json was replaced: resume says the same.
    fs::create_directories(dir / "run2");
    test::writeBytes(dir / "run2" / "config.json", deeplyNested(100000));
    const std::string resumed = cli("resume --run-dir " + (dir / "run2").string(), &code);
    EXPECT_EQ(code, 1) << resumed;
    EXPECT_NE(resumed.find("config.json"), std::string::npos) << resumed;
}

TEST(HostileConfig, NumbersOutOfRangeNameTheSetting)
{
    test::TempDir dir;
    test::writeBytes(dir / "big.json", "{\"ways\": 1e400}");
    std::string message = errorOf([&] { loadConfig((dir / "big.json").string()); });
    EXPECT_NE(message.find("a number is too large"), std::string::npos) << message;
    EXPECT_NE(message.find("'ways'"), std::string::npos) << message;
    EXPECT_NE(message.find("big.json"), std::string::npos) << message;
    EXPECT_EQ(message.find("json.exception"), std::string::npos) << message;
    // Fits a double, not an int: no silent cut.
    test::writeBytes(dir / "float.json", "{\"ways\": 1e300, \"iterations\": 5.5}");
    message = errorOf([&] { loadConfig((dir / "float.json").string()); });
    EXPECT_NE(message.find("'ways' must be a whole number"), std::string::npos) << message;
    test::writeBytes(dir / "wide.json", "{\"filters\": 99999999999}");
    message = errorOf([&] { loadConfig((dir / "wide.json").string()); });
    EXPECT_NE(message.find("'filters' must be a whole number from"), std::string::npos) << message;
    test::writeBytes(dir / "seed.json", "{\"seed\": -1}");
    message = errorOf([&] { loadConfig((dir / "seed.json").string()); });
    EXPECT_NE(message.find("'seed'"), std::string::npos) << message;
}

TEST(HostileConfig, SizeIsCapped)
{
    const std::string message = errorOf([] {
        parseJsonText(std::string(5000, ' ') + "{}", "x.json", {64, 1024});
    });
    EXPECT_NE(message.find("more than the"), std::string::npos) << message;
    const std::string device = errorOf([] { readFileCapped("/dev/zero", 1 << 20, "config"); });
    EXPECT_NE(device.find("more than the 1 MiB"), std::string::npos) << device;
}

TEST(HostileConfig, HugeValuesAreRefusedByValidation)
{
    auto c = test::tinyConfig();
    c.ways = 100000000;
    EXPECT_FALSE(c.validate().empty());
    c = test::tinyConfig();
    c.imageSize = 512;
    c.filters = 1024;
    c.ways = 900;
    const auto problems = c.validate();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("million parameters"), std::string::npos) << problems[0];
    c = test::tinyConfig();
    c.iterations = int64_t(1) << 40;
    EXPECT_FALSE(c.validate().empty());
}

TEST(HostileConfig, ThreadsAreBoundedByTheCores)
{
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    EXPECT_EQ(applyThreads(100000), cores);
    EXPECT_EQ(applyThreads(1), 1);
    int code = 0;
    const std::string out = cli("train --threads=-3 --run-dir /nonexistent/x", &code);
    EXPECT_NE(code, 0) << out; // a usage error, not a silent default
    EXPECT_NE(out.find("--threads"), std::string::npos) << out;
}

TEST(HostileConfig, MetricsLinesThatAreTooDeepOrTooLongAreSkipped)
{
    test::TempDir dir;
    const std::string deep =
        "{\"iteration\": 2, \"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    const std::string longLine = "{\"iteration\": 3, \"x\": \"" + std::string(2 << 20, 'a') + "\"}";
    test::writeBytes(dir / "m.jsonl",
                     "{\"iteration\": 1}\n" + deep + "\n" + longLine + "\n{\"iteration\": 4}\n{\"it");
    const auto records = MetricsLog(dir / "m.jsonl").read();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0]["iteration"], 1);
    EXPECT_EQ(records[1]["iteration"], 4);
}

TEST(HostileText, Latin1TextIsRepairedWhereItIsRead)
{
    test::TempDir dir;
    // "café" and "naïve" in Latin-1, and a label with \xff.
    test::writeBytes(dir / "latin1.tsv", "text\tlabel\nun caf\xe9 noir\tpositive\nna\xefve\tneg\xff\n");
    const auto rows = readTextFile(dir / "latin1.tsv");
    ASSERT_EQ(rows.size(), 2u);
    for (const auto& r : rows) {
        EXPECT_TRUE(isValidUtf8(r.text)) << r.text;
        EXPECT_TRUE(isValidUtf8(r.label)) << r.label;
    }
    EXPECT_EQ(rows[0].text, "un caf\xEF\xBF\xBD noir");
    // What used to fail at the very end ([json.exception.type_error.316]) now works.
    nlohmann::json j = {{"text", rows[1].text}, {"label", rows[1].label}};
    EXPECT_NO_THROW(j.dump());
}

TEST(HostileText, Utf8CheckerAgreesWithTheStandard)
{
    EXPECT_TRUE(isValidUtf8("plain ascii"));
    EXPECT_TRUE(isValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
    for (const char* bad :
         {"\xff", "\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80"})
        EXPECT_FALSE(isValidUtf8(bad)) << bad;
    EXPECT_EQ(toValidUtf8("a\xffz"), "a\xEF\xBF\xBDz");
}

TEST(HostileText, AClassFolderNotInUtf8StillEvaluatesToJson)
{
    test::TempDir dir;
    test::writeSyntheticPngs(dir / "images", 0, 4, 5);
    fs::rename(dir / "images" / "class0", dir / "images" / "cl\xe4ss0"); // Latin-1 "ä"
    auto c = test::tinyConfig();
    c.dataset = "folder:" + (dir / "images").string();
    c.trainSplit = c.valSplit = c.testSplit = "all";
    c.iterations = 1;
    c.valEvery = 1;
    writeFileAtomic(dir / "config.json", c.toJson().dump());
    int code = 0;
    std::string out = cli(
        "train --config " + (dir / "config.json").string() + " --run-dir " + (dir / "run").string(), &code);
    ASSERT_EQ(code, 0) << out;
    // Only stdout goes to the file (runCommand sends stderr, the progress, to `out`).
    code = test::runCommand("{ " + std::string(MAML_TEST_CLI) + " eval --checkpoint " +
                                (dir / "run" / "checkpoints" / "last.pt").string() +
                                " --split all --episodes 3 --no-baseline --json >" +
                                (dir / "eval.json").string() + "; }",
                            &out);
    ASSERT_EQ(code, 0) << out;
    const auto j = nlohmann::json::parse(test::readBytes(dir / "eval.json"));
    bool found = false;
    for (const auto& cls : j.at("per_class"))
        found |= cls.dump().find("cl\xEF\xBF\xBDss0") != std::string::npos;
    EXPECT_TRUE(found) << out;
    // A dataset spec that is not UTF-8 cannot be stored in config.json: refused before training.
    auto bad = c;
    bad.dataset = "folder:/data/\xff";
    const auto problems = bad.validate();
    ASSERT_FALSE(problems.empty());
    EXPECT_NE(problems[0].find("not valid UTF-8"), std::string::npos) << problems[0];
}

} // namespace
} // namespace maml
