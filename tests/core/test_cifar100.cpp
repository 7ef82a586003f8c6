#include "core/data/cifar100.h"
#include "core/data/dataset_registry.h"
#include "core/data/episode.h"
#include "core/util/error.h"
#include "test_support.h"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace maml;
using maml::test::errorOf;
using maml::test::TempDir;

TEST(Cifar100, ReadsClassesImagesAndPixels)
{
    TempDir tmp;
    test::writeCifarFolder(tmp.path(), 3, 1);
    Cifar100Dataset ds(tmp.path());
    EXPECT_EQ(ds.classCount(), 100);
    EXPECT_EQ(ds.classNames()[0], "apple");
    EXPECT_EQ(ds.classNames()[99], "worm");
    EXPECT_EQ(ds.imageCount(42), 4); // 3 train + 1 test
    EXPECT_EQ(ds.totalImages(), 400);
    EXPECT_EQ(ds.shape(), (ImageShape{3, 32, 32}));
    // Image 3 of class 42 is the test.bin record; check one pixel of each plane.
    const std::string rec = test::cifarRecord(test::cifarCoarseOf(42), 42, 1000);
    const auto img = ds.image(42, 3);
    ASSERT_EQ(img.sizes(), (std::vector<int64_t>{3, 32, 32}));
    for (int p = 0; p < 3; ++p) {
        const int offset = 2 + p * 1024 + 5 * 32 + 7;
        EXPECT_FLOAT_EQ(img[p][5][7].item<float>(), static_cast<uint8_t>(rec[offset]) / 255.0f);
    }
    EXPECT_NE(ds.imageSource(42, 3).find("test.bin record 42"), std::string::npos);
    EXPECT_EQ(ds.coarseOf()[42], test::cifarCoarseOf(42));
}

TEST(Cifar100, AcceptsTheBinaryFolderItselfAndResizes)
{
    TempDir tmp;
    const auto bin = test::writeCifarFolder(tmp.path(), 1, 1);
    Cifar100Dataset ds(bin, 16, 1);
    EXPECT_EQ(ds.shape(), (ImageShape{1, 16, 16}));
    EXPECT_EQ(ds.image(0, 0).sizes(), (std::vector<int64_t>{1, 16, 16}));
}

TEST(Cifar100, SplitsAreCifarFsAndFc100)
{
    TempDir tmp;
    test::writeCifarFolder(tmp.path(), 1, 1);
    auto ds = openDataset("cifar100:" + tmp.path().string());
    const auto s = ds->splits();
    EXPECT_EQ(s.at("train").size(), 64u);
    EXPECT_EQ(s.at("val").size(), 16u);
    EXPECT_EQ(s.at("test").size(), 20u);
    EXPECT_EQ(s.at("all").size(), 100u);
    EXPECT_EQ(s.at("fc100-train").size(), 60u);
    EXPECT_EQ(s.at("fc100-val").size(), 20u);
    EXPECT_EQ(s.at("fc100-test").size(), 20u);
    const auto& test = s.at("test");
    EXPECT_NE(std::find(test.begin(), test.end(), ds->classIndex("whale")), test.end());
    const auto& fcTest = s.at("fc100-test");
    EXPECT_NE(std::find(fcTest.begin(), fcTest.end(), ds->classIndex("whale")),
              fcTest.end()); // aquatic_mammals
    std::set<int> seen;
    for (const char* part : {"train", "val", "test"})
        for (int c : s.at(part))
            EXPECT_TRUE(seen.insert(c).second) << "class " << c << " is in two splits";
}

TEST(Cifar100, TruncatedFileIsAnErrorNamingIt)
{
    TempDir tmp;
    const auto bin = test::writeCifarFolder(tmp.path(), 1, 1);
    std::string bytes = test::readBytes(bin / "train.bin");
    bytes.resize(bytes.size() - 100);
    test::writeBytes(bin / "train.bin", bytes);
    const std::string msg = errorOf([&] { Cifar100Dataset ds(tmp.path()); });
    EXPECT_NE(msg.find("train.bin"), std::string::npos) << msg;
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST(Cifar100, LabelOutOfRangeIsAnError)
{
    TempDir tmp;
    const auto bin = test::writeCifarFolder(tmp.path(), 1, 1);
    test::writeBytes(bin / "test.bin", test::cifarRecord(3, 100, 0));
    const std::string msg = errorOf([&] { Cifar100Dataset ds(tmp.path()); });
    EXPECT_NE(msg.find("record 0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fine=100"), std::string::npos) << msg;
}

TEST(Cifar100, MissingFilesAreErrorsWithTheFetchHint)
{
    TempDir tmp;
    EXPECT_NE(errorOf([&] { Cifar100Dataset ds(tmp / "nowhere"); }).find("maml-cli fetch cifar100"),
              std::string::npos);
    const auto bin = test::writeCifarFolder(tmp.path(), 1, 1);
    std::filesystem::remove(bin / "test.bin");
    EXPECT_NE(errorOf([&] { Cifar100Dataset ds(tmp.path()); }).find("test.bin not found"), std::string::npos);
    EXPECT_FALSE(Cifar100Dataset::looksComplete(tmp.path()));
}

TEST(Cifar100, WrongNumberOfLabelNamesIsAnError)
{
    TempDir tmp;
    const auto bin = test::writeCifarFolder(tmp.path(), 1, 1);
    test::writeBytes(bin / "coarse_label_names.txt", "a\nb\n");
    const std::string msg = errorOf([&] { Cifar100Dataset ds(tmp.path()); });
    EXPECT_NE(msg.find("found 2 label names, expected 20"), std::string::npos) << msg;
}

TEST(Cifar100, ReadsFromManyThreadsAtOnce)
{
    TempDir tmp;
    test::writeCifarFolder(tmp.path(), 2, 0);
    test::writeBytes(tmp / "cifar-100-binary/test.bin", test::cifarRecord(0, 4, 9));
    Cifar100Dataset ds(tmp.path());
    const auto expected = ds.image(7, 1).clone();
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 50; ++i)
                if (!torch::equal(ds.image(7, 1), expected))
                    ++mismatches;
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(mismatches.load(), 0);
}

TEST(Cifar100, AClassWithoutImagesIsAClearErrorWhereverItIsAsked)
{
    // As in the project's development copy: the CIFAR-FS test classes are named but empty.
    const std::vector<std::string> testClasses = {
        "whale",    "poppy",   "rose",  "sweet_pepper", "telephone",    "bed",   "table",
        "wardrobe", "leopard", "plain", "chimpanzee",   "fox",          "snail", "worm",
        "baby",     "man",     "woman", "bicycle",      "pickup_truck", "rocket"};
    TempDir tmp;
    test::writeCifarFolder(tmp.path(), 6, 1, testClasses);
    const std::string spec = "cifar100:" + tmp.path().string();
    auto ds = openDataset(spec);
    EXPECT_EQ(ds->imageCount(ds->classIndex("whale")), 0);
    // The val split samples; the test split names an empty class and says what to do.
    EXPECT_NO_THROW(EpisodeSampler(*ds, ds->splits().at("val"), EpisodeSpec{5, 1, 2}));
    const std::string msg = errorOf([&] {
        EpisodeSampler(*ds, ds->splits().at("test"), EpisodeSpec{5, 1, 2});
    });
    EXPECT_NE(msg.find("has 0 images"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Leave this class out"), std::string::npos) << msg;
    // The CLI says the same for `sample` on the test split and on a chosen empty class.
    std::string out;
    EXPECT_EQ(test::runCommand(std::string(MAML_TEST_CLI) + " sample --dataset " + spec +
                                   " --split test --ways 5 --shots 1 --queries 2 --out " +
                                   (tmp / "x.png").string(),
                               &out),
              1)
        << out;
    EXPECT_NE(out.find("has 0 images"), std::string::npos) << out;
    EXPECT_EQ(test::runCommand(
                  std::string(MAML_TEST_CLI) + " sample --dataset " + spec +
                      " --split all --classes beaver,otter,rocket --ways 3 --shots 1 --queries 2 --out " +
                      (tmp / "y.png").string(),
                  &out),
              1)
        << out;
    EXPECT_NE(out.find("class 'rocket' has 0 images"), std::string::npos) << out;
    EXPECT_FALSE(std::filesystem::exists(tmp / "x.png"));
}

TEST(Cifar100, TheStudyTrainsOnACopyWithoutTestImages)
{
    // The development copy (empty CIFAR-FS test classes) trains: training and validation do not
    // sample the test split, so its empty classes are a note, and `eval --split test` refuses.
    TempDir tmp;
    test::writeCifarFolder(tmp.path(), 6, 1,
                           {"whale",    "poppy",   "rose",  "sweet_pepper", "telephone",    "bed",   "table",
                            "wardrobe", "leopard", "plain", "chimpanzee",   "fox",          "snail", "worm",
                            "baby",     "man",     "woman", "bicycle",      "pickup_truck", "rocket"});
    const std::string cli = MAML_TEST_CLI;
    const auto config = tmp / "study.json";
    ASSERT_EQ(test::runCommand(cli + " presets --json > " + (tmp / "presets.json").string()), 0);
    nlohmann::json study;
    for (const auto& p : nlohmann::json::parse(std::ifstream(tmp / "presets.json")))
        if (p["name"] == "study-cifar100-5w10s")
            study = p["config"];
    ASSERT_FALSE(study.is_null());
    // The study's settings, shrunk to the 7 images per class of this folder and to seconds.
    study.update({{"dataset", "cifar100:" + tmp.path().string()},
                  {"shots", 1},
                  {"queries", 2},
                  {"filters", 4},
                  {"meta_batch", 2},
                  {"iterations", 2},
                  {"val_every", 2},
                  {"val_episodes", 2},
                  {"eval_episodes", 4},
                  {"threads", 1}});
    std::ofstream(config) << study.dump();
    std::string out;
    const auto run = tmp / "run";
    ASSERT_EQ(
        test::runCommand(cli + " train --config " + config.string() + " --run-dir " + run.string(), &out), 0)
        << out;
    EXPECT_NE(out.find("Note: test split 'test': class '"), std::string::npos) << out;
    EXPECT_NE(out.find("has 0 images"), std::string::npos) << out;
    EXPECT_NE(out.find("evaluate on the 'val' split (maml-cli eval --split val)"), std::string::npos) << out;
    const auto checkpoint = (run / "checkpoints" / "best.pt").string();
    EXPECT_EQ(test::runCommand(cli + " eval --checkpoint " + checkpoint + " --split val --no-baseline", &out),
              0)
        << out;
    EXPECT_NE(test::runCommand(cli + " eval --checkpoint " + checkpoint + " --split test", &out), 0) << out;
    EXPECT_NE(out.find("has 0 images"), std::string::npos) << out;
}

TEST(Cifar100, AChosenFolderIsRememberedForTheWorkbenchAndTheCli)
{
    // The Data page's "Choose folder..." and `maml-cli datasets --remember`: cifar100 without a
    // folder then opens the chosen copy, in this process and in the next.
    TempDir tmp;
    ::setenv("XDG_CONFIG_HOME", (tmp / "config").c_str(), 1);
    ::setenv("XDG_CACHE_HOME", (tmp / "cache").c_str(), 1); // no downloaded copy there
    const auto copy = tmp / "my-cifar";
    test::writeCifarFolder(copy, 2, 1);
    auto cifarRow = [] {
        for (const auto& info : knownDatasets())
            if (info.spec == "cifar100")
                return info;
        return DatasetInfo{};
    };
    EXPECT_FALSE(cifarRow().available);
    EXPECT_NE(errorOf([] { openDataset("cifar100"); }).find("maml-cli fetch cifar100"), std::string::npos);

    // A folder without CIFAR-100 is refused and nothing is remembered.
    std::filesystem::create_directories(tmp / "empty");
    const auto msg = errorOf([&] { chooseDatasetFolder("cifar100", tmp / "empty"); });
    EXPECT_NE(msg.find("holds no CIFAR-100 binary files"), std::string::npos) << msg;
    EXPECT_FALSE(std::filesystem::exists(tmp / "config" / "maml-workbench" / "datasets.json"));
    // A truncated copy is refused too: the folder is opened before it is remembered.
    test::writeCifarFolder(tmp / "broken", 2, 1);
    std::filesystem::resize_file(tmp / "broken" / "cifar-100-binary" / "train.bin", 5000);
    EXPECT_FALSE(errorOf([&] { chooseDatasetFolder("cifar100", tmp / "broken"); }).empty());
    EXPECT_FALSE(std::filesystem::exists(tmp / "config" / "maml-workbench" / "datasets.json"));

    chooseDatasetFolder("cifar100", copy);
    EXPECT_TRUE(cifarRow().available);
    EXPECT_EQ(std::filesystem::path(cifarRow().location), copy);
    EXPECT_EQ(openDataset("cifar100")->classNames().size(), 100u);

    // The CLI, a new process, finds it; --remember checks a folder the same way.
    std::string out;
    EXPECT_EQ(test::runCommand(std::string(MAML_TEST_CLI) +
                                   " sample --dataset cifar100 --split val --ways 5 "
                                   "--shots 1 --queries 1 --out " +
                                   (tmp / "e.png").string(),
                               &out),
              0)
        << out;
    EXPECT_EQ(test::runCommand(std::string(MAML_TEST_CLI) + " datasets --remember cifar100 " +
                                   (tmp / "empty").string(),
                               &out),
              1);
    EXPECT_NE(out.find("holds no CIFAR-100 binary files"), std::string::npos) << out;
    EXPECT_EQ(openDataset("cifar100")->classNames().size(), 100u); // the good choice stays

    // A hand-broken memory file counts as no memory, not as an error.
    std::ofstream(tmp / "config" / "maml-workbench" / "datasets.json") << "{ not json";
    EXPECT_FALSE(cifarRow().available);
    ::unsetenv("XDG_CONFIG_HOME");
    ::unsetenv("XDG_CACHE_HOME");
}
