// TorchScript export: a module written by the workbench, loaded by Debian's python3 with plain
// PyTorch (tests/export/check_torchscript.py), gives the workbench's probabilities; an adapted
// model taken away through ModelAdapter::exportTorchScript, `maml-cli adapt --export` and
// `maml-cli export`, for image and text checkpoints.
#include "core/data/image_io.h"
#include "core/engine/adapter.h"
#include "core/engine/checkpoint.h"
#include "core/engine/conv4.h"
#include "core/engine/meta_learner.h"
#include "core/engine/torchscript_export.h"
#include "core/engine/trainer.h"
#include "core/text/text_adapter.h"
#include "core/text/text_export.h"
#include "core/text/transformer.h"
#include "core/util/error.h"
#include "test_maml_support.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace maml;
using maml::test::TempDir;
namespace fs = std::filesystem;

namespace {
nlohmann::json nested(const torch::Tensor& t)
{
    const auto c = t.contiguous().cpu();
    if (c.dim() == 0)
        return c.scalar_type() == torch::kInt64 ? nlohmann::json(c.item<int64_t>())
                                                : nlohmann::json(c.item<double>());
    nlohmann::json out = nlohmann::json::array();
    for (int64_t i = 0; i < c.size(0); ++i)
        out.push_back(nested(c[i]));
    return out;
}

/// Runs the Python check; returns its output, and the exit code through `code`.
std::string pythonCheck(const fs::path& model, const nlohmann::json& c, const TempDir& dir, int* code)
{
    test::writeBytes(dir / "case.json", c.dump());
    std::string out;
    *code = test::runCommand("/usr/bin/python3 " + std::string(MAML_SOURCE_DIR) +
                                 "/tests/export/check_torchscript.py " + model.string() + " " +
                                 (dir / "case.json").string(),
                             &out);
    return out;
}

/// The workbench's way to score queries with adapted weights (core/engine/adapter.cpp): with
/// batch statistics the support set goes through the same forward pass.
torch::Tensor workbenchProbabilities(FunctionalModel& model, const std::vector<torch::Tensor>& weights,
                                     const torch::Tensor& support, const torch::Tensor& queries, int classes)
{
    torch::NoGradGuard noGrad;
    const bool joint = model.normalisesOverTheBatch();
    auto logits =
        model.forward(joint ? torch::cat({support, queries}) : queries, weights, /*training=*/false);
    if (joint)
        logits = logits.slice(0, support.size(0));
    return torch::softmax(logits.slice(1, 0, classes).to(torch::kFloat64), 1);
}

/// The probabilities of predictions (one row per item), in the order of `names`.
nlohmann::json probabilitiesOf(const std::vector<Prediction>& predictions)
{
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& p : predictions)
        rows.push_back(p.probabilities);
    return rows;
}

/// The same from `maml-cli adapt --json` output.
nlohmann::json probabilitiesOf(const nlohmann::json& adaptJson)
{
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& p : adaptJson["predictions"]) {
        nlohmann::json row = nlohmann::json::array();
        for (const auto& name : adaptJson["classes"])
            row.push_back(p["probabilities"][name.get<std::string>()]);
        rows.push_back(row);
    }
    return rows;
}

/// A 3-way image checkpoint trained for two iterations on PNG folders (a folder: dataset, so
/// maml-cli opens it too). Its images: dir/images/class<c>/<i>.png, 8 classes of 6.
fs::path imageCheckpoint(const TempDir& dir)
{
    test::writeSyntheticPngs(dir / "images", 0, 8, 6);
    auto c = test::tinyConfig();
    c.dataset = "folder:" + (dir / "images").string();
    c.trainSplit = c.valSplit = c.testSplit = "all";
    c.iterations = 2;
    c.valEvery = 2;
    c.valEpisodes = 2;
    Trainer::startRun(c, dir / "run").run();
    return RunPaths{dir / "run"}.last();
}

std::string image(const TempDir& dir, int cls, int i)
{
    return (dir / "images" / ("class" + std::to_string(cls)) / (std::to_string(i) + ".png")).string();
}

torch::Tensor imageInputs(const std::vector<std::string>& files)
{
    std::vector<torch::Tensor> xs;
    for (const auto& f : files)
        xs.push_back(loadImageFile(f, 1, 16));
    return torch::stack(xs);
}

/// What the meta-parameters give for `inputs` (no support set: a meta export has none).
torch::Tensor metaProbabilities(const fs::path& checkpoint, const torch::Tensor& inputs)
{
    auto loaded = loadModel(checkpoint);
    torch::NoGradGuard noGrad;
    auto logits = loaded.model->forward(inputs, loaded.model->metaParameters(), /*training=*/false);
    return torch::softmax(logits.to(torch::kFloat64), 1);
}

/// A 2-way text checkpoint (Transformer) trained for two iterations on a labelled TSV file.
fs::path textCheckpoint(const TempDir& dir)
{
    std::string tsv = "text\tlabel\tdomain\n";
    const char* good[] = {"a fine film", "loved it", "great acting", "a lovely story"};
    const char* bad[] = {"an awful film", "hated it", "dull acting", "a boring story"};
    for (const std::string domain : {"films", "books", "plays"})
        for (int i = 0; i < 4; ++i)
            tsv += std::string(good[i]) + " " + domain + "\tpositive\t" + domain + "\n" + bad[i] + " " +
                   domain + "\tnegative\t" + domain + "\n";
    test::writeBytes(dir / "corpus.tsv", tsv);
    ExperimentConfig c;
    c.dataset = "text:" + (dir / "corpus.tsv").string();
    c.trainSplit = "films";
    c.valSplit = "books";
    c.testSplit = "plays";
    c.ways = 2;
    c.shots = 1;
    c.queries = 2;
    c.model = "transformer";
    c.innerStepsTrain = 1;
    c.innerStepsEval = 2;
    c.innerLr = 0.1;
    c.metaBatch = 2;
    c.iterations = 2;
    c.valEvery = 2;
    c.valEpisodes = 2;
    c.threads = 1;
    c.extra = {{"dModel", 8},       {"heads", 2},   {"layers", 1},  {"ff", 16},
               {"head", "flatten"}, {"length", 10}, {"minCount", 1}};
    Trainer::startRun(c, dir / "run").run();
    return RunPaths{dir / "run"}.last();
}

/// Runs maml-cli; `out` gets stdout, `err` stderr (through files).
int cli(const std::string& args, const TempDir& dir, std::string* out, std::string* err)
{
    // A group: runCommand's own "2>&1" applies to the group, not to maml-cli's streams.
    const int code =
        test::runCommand("{ " + std::string(MAML_TEST_CLI) + " " + args + " >" + (dir / "cli.out").string() +
                         " 2>" + (dir / "cli.err").string() + "; }");
    *out = test::readBytes(dir / "cli.out");
    *err = test::readBytes(dir / "cli.err");
    return code;
}
} // namespace

TEST(TorchScriptExport, AnAdaptedImageModelGivesTheWorkbenchsProbabilitiesInPython)
{
    torch::manual_seed(11);
    Conv4Options o;
    o.channels = 3;
    o.imageSize = 20; // odd sizes on the way down (20 -> 10 -> 5 -> 2 -> 1)
    o.filters = 6;
    o.ways = 4;
    auto model = std::make_shared<Conv4>(o);
    // Adapt on a 3-class support set (fewer classes than outputs, as the Adapt page allows).
    const auto support = torch::rand({6, 3, 20, 20});
    const auto labels = torch::tensor({0, 0, 1, 1, 2, 2}, torch::kInt64);
    const auto queries = torch::rand({5, 3, 20, 20});
    MetaLearnerOptions lo;
    lo.innerLr = 0.1;
    InnerLoop loop(model, lo);
    std::vector<torch::Tensor> start;
    for (const auto& p : model->metaParameters())
        start.push_back(p.detach().clone().requires_grad_(true));
    auto adapted = loop.adapt(start, support, labels, 3, /*createGraph=*/false);
    for (auto& w : adapted)
        w = w.detach();
    const auto want = workbenchProbabilities(*model, adapted, support, queries, 3);

    TempDir dir;
    TorchScriptExport e;
    e.model = model.get();
    e.weights = adapted;
    e.config.imageSize = 20;
    e.config.channels = 3;
    e.config.ways = 4;
    e.classNames = {"cat", "dog", "fox"};
    e.support = support;
    exportTorchScript(e, dir / "image.pt");
    ASSERT_TRUE(fs::exists(dir / "image.pt"));

    nlohmann::json c = {
        {"inputs", nested(queries)},
        {"dtype", "float32"},
        {"probabilities", nested(want)},
        {"tolerance", 1e-5},
        {"attributes",
         {{"kind", "image"}, {"class_names", e.classNames}, {"image_size", 20}, {"channels", 3}}}};
    int code = -1;
    const auto out = pythonCheck(dir / "image.pt", c, dir, &code);
    EXPECT_EQ(code, 0) << out;
    EXPECT_NE(out.find("probabilities (5, 3)"), std::string::npos) << out;
    // The check itself can fail: other probabilities do not pass.
    c["probabilities"] = nested(torch::softmax(torch::rand({5, 3}).to(torch::kFloat64), 1));
    pythonCheck(dir / "image.pt", c, dir, &code);
    EXPECT_EQ(code, 1);
}

TEST(TorchScriptExport, ATextModelTokenizesAndScoresLikeTheWorkbenchInPython)
{
    const std::vector<std::string> corpus = {"A great film, I loved it!", "boring and too long",
                                             "the acting was great", "don't waste your time",
                                             "Loved the 'cast' and the music"};
    const auto tokenizer = WordTokenizer::build(corpus, 1, 0, 12);
    for (const std::string head : {"mean", "flatten"}) {
        torch::manual_seed(5);
        TransformerOptions o;
        o.vocabSize = tokenizer.vocabSize();
        o.length = 12;
        o.ways = 2;
        o.dModel = 8;
        o.heads = 2;
        o.layers = 2;
        o.ff = 16;
        o.head = head;
        TransformerEncoder model(o);
        const std::vector<std::string> sentences = {"I LOVED the film...", "Too long; don't!",
                                                    "ünïcode words and 'quotes'", "an unseen word", ""};
        const auto ids = tokenizer.encodeBatch(sentences);
        const auto want = workbenchProbabilities(model, model.metaParameters(), {}, ids, 2);

        TempDir dir;
        TorchScriptExport e;
        e.model = &model;
        e.weights = model.metaParameters();
        e.config.ways = 2;
        e.config.model = "transformer";
        e.classNames = {"negative", "positive"};
        e.kind = "text";
        e.extras = [&](torch::jit::Module& m) { addTextTorchScript(m, tokenizer); };
        exportTorchScript(e, dir / "text.pt");

        nlohmann::json c = {
            {"inputs", nested(ids)},
            {"dtype", "int64"},
            {"probabilities", nested(want)},
            {"tolerance", 1e-5},
            {"attributes", {{"kind", "text"}, {"class_names", e.classNames}, {"sequence_length", 12}}},
            {"sentences", sentences},
            {"token_ids", nested(ids)}};
        int code = -1;
        const auto out = pythonCheck(dir / "text.pt", c, dir, &code);
        EXPECT_EQ(code, 0) << head << " head:\n" << out;
    }
}

TEST(TorchScriptExport, BadRequestsAndUnwritableTargetsAreClearErrors)
{
    torch::manual_seed(1);
    auto model = std::make_shared<Conv4>(Conv4Options{1, 16, 2, 3, true});
    TorchScriptExport e;
    e.model = model.get();
    e.weights = model->metaParameters();
    e.config.ways = 3;
    e.classNames = {"a", "b", "c", "d"};
    EXPECT_NE(
        test::errorOf([&] { exportTorchScript(e, "/tmp/never.pt"); }).find("give 1 to that many class names"),
        std::string::npos);
    e.classNames = {"a", "b"};
    e.weights.pop_back();
    EXPECT_NE(test::errorOf([&] { exportTorchScript(e, "/tmp/never.pt"); }).find("weight tensors"),
              std::string::npos);
    e.weights = model->metaParameters();
    EXPECT_NE(test::errorOf([&] { exportTorchScript(e, "/proc/no/such/dir/model.pt"); }), "(no error)");
    EXPECT_FALSE(fs::exists("/tmp/never.pt"));
}

TEST(AdapterExport, TheAdaptedModelIsWrittenWithItsFastWeightsAndTheSupportSetsNames)
{
    TempDir dir;
    const auto checkpoint = imageCheckpoint(dir);
    auto adapter = openAdapter(checkpoint);
    adapter->setSupportItems({{"cat", {image(dir, 0, 0), image(dir, 0, 1)}}, {"dog", {image(dir, 1, 0)}}});
    const std::string early = test::errorOf([&] { adapter->exportTorchScript(dir / "early.pt"); });
    EXPECT_NE(early.find("nothing adapted yet"), std::string::npos) << early;
    EXPECT_NE(early.find("Press Adapt / run adapt first"), std::string::npos) << early;
    EXPECT_FALSE(fs::exists(dir / "early.pt"));

    adapter->adapt(3);
    adapter->exportTorchScript(dir / "adapted.pt");
    ASSERT_TRUE(fs::exists(dir / "adapted.pt"));
    const std::vector<std::string> queries = {image(dir, 0, 2), image(dir, 1, 3), image(dir, 2, 4)};
    const auto inputs = imageInputs(queries);
    nlohmann::json c = {
        {"inputs", nested(inputs)},
        {"dtype", "float32"},
        {"probabilities", probabilitiesOf(adapter->predictItems(queries))},
        {"tolerance", 1e-5},
        {"attributes",
         {{"kind", "image"}, {"class_names", {"cat", "dog"}}, {"image_size", 16}, {"channels", 1}}}};
    int code = -1;
    auto out = pythonCheck(dir / "adapted.pt", c, dir, &code);
    EXPECT_EQ(code, 0) << out;
    EXPECT_NE(out.find("probabilities (3, 2)"), std::string::npos) << out;

    // The file holds the adapted weights: the meta-parameters' predictions do not match it.
    adapter->reset();
    c["probabilities"] = probabilitiesOf(adapter->predictItems(queries));
    out = pythonCheck(dir / "adapted.pt", c, dir, &code);
    EXPECT_EQ(code, 1) << out;
    const std::string afterReset = test::errorOf([&] { adapter->exportTorchScript(dir / "reset.pt"); });
    EXPECT_NE(afterReset.find("nothing adapted yet"), std::string::npos) << afterReset;

    // Asked for explicitly, the meta-parameters are written, one class name per output.
    adapter->exportTorchScript(dir / "meta.pt", ExportWeights::Meta);
    c["probabilities"] = nested(metaProbabilities(checkpoint, inputs));
    c["attributes"]["class_names"] = {"class 1", "class 2", "class 3"};
    out = pythonCheck(dir / "meta.pt", c, dir, &code);
    EXPECT_EQ(code, 0) << out;
    EXPECT_NE(out.find("probabilities (3, 3)"), std::string::npos) << out;
}

TEST(AdapterExport, UnwritableTargetsAreClearErrorsNamingThePath)
{
    TempDir dir;
    auto adapter = openAdapter(imageCheckpoint(dir));
    adapter->setSupportItems({{"a", {image(dir, 0, 0)}}, {"b", {image(dir, 1, 0)}}});
    adapter->adapt(1);
    // /proc takes no new files; a folder that cannot be made is named.
    for (const fs::path target : {fs::path("/proc/x"), fs::path("/proc/no/such/folder/m.pt")}) {
        const std::string e = test::errorOf([&] { adapter->exportTorchScript(target); });
        EXPECT_NE(e, "(no error)") << target;
        EXPECT_NE(e.find(target.parent_path() == "/proc" ? target.string() : "/proc/no/such/folder"),
                  std::string::npos)
            << e;
        EXPECT_FALSE(fs::exists(target));
    }
    // A missing folder that can be made is made, as for every file maml-cli writes.
    adapter->exportTorchScript(dir / "new" / "folder" / "m.pt");
    EXPECT_TRUE(fs::exists(dir / "new" / "folder" / "m.pt"));
    // A folder is not a file name.
    EXPECT_NE(test::errorOf([&] { adapter->exportTorchScript(dir.path()); }), "(no error)");
}

TEST(AdapterExport, CliAdaptExportAndExportWriteImageModelsPythonLoads)
{
    TempDir dir;
    const auto checkpoint = imageCheckpoint(dir);
    const std::vector<std::string> queries = {image(dir, 0, 2), image(dir, 1, 3)};
    const std::string adapt = "adapt --checkpoint " + checkpoint.string() +
                              " --support a=" + image(dir, 0, 0) + "," + image(dir, 0, 1) +
                              " --support b=" + image(dir, 1, 0) + " --steps 3";
    std::string out, err;
    ASSERT_EQ(cli(adapt + " --query " + queries[0] + " " + queries[1] + " --json --export " +
                      (dir / "adapted.pt").string(),
                  dir, &out, &err),
              0)
        << err;
    EXPECT_NE(err.find("wrote the adapted model (2 classes) to " + (dir / "adapted.pt").string()),
              std::string::npos)
        << err;
    const auto inputs = imageInputs(queries);
    nlohmann::json c = {{"inputs", nested(inputs)},
                        {"dtype", "float32"},
                        {"probabilities", probabilitiesOf(nlohmann::json::parse(out))},
                        {"tolerance", 1e-5},
                        {"attributes", {{"kind", "image"}, {"class_names", {"a", "b"}}}}};
    int code = -1;
    auto check = pythonCheck(dir / "adapted.pt", c, dir, &code);
    EXPECT_EQ(code, 0) << check;

    // Exporting, the queries may be left out.
    ASSERT_EQ(cli(adapt + " --export " + (dir / "alone.pt").string(), dir, &out, &err), 0) << err;
    EXPECT_TRUE(fs::exists(dir / "alone.pt"));
    EXPECT_EQ(out, "");

    ASSERT_EQ(cli("export --checkpoint " + checkpoint.string() + " --out " + (dir / "meta.pt").string(), dir,
                  &out, &err),
              0)
        << err;
    EXPECT_NE(out.find("wrote the meta-parameters of the 3-way 1-shot model"), std::string::npos) << out;
    c["probabilities"] = nested(metaProbabilities(checkpoint, inputs));
    c["attributes"]["class_names"] = {"class 1", "class 2", "class 3"};
    check = pythonCheck(dir / "meta.pt", c, dir, &code);
    EXPECT_EQ(code, 0) << check;

    // Errors: an unwritable target, a missing or damaged checkpoint; exit code 1 and a message.
    EXPECT_EQ(cli(adapt + " --export /proc/x", dir, &out, &err), 1);
    EXPECT_NE(err.find("error: cannot create a file there"), std::string::npos) << err;
    EXPECT_NE(err.find("(/proc/x)"), std::string::npos) << err;
    EXPECT_EQ(
        cli("export --checkpoint " + (dir / "nothing.pt").string() + " --out " + (dir / "n.pt").string(), dir,
            &out, &err),
        1);
    EXPECT_NE(err.find("error: "), std::string::npos) << err;
    EXPECT_NE(err.find((dir / "nothing.pt").string()), std::string::npos) << err;
    test::writeBytes(dir / "broken.pt", "garbage");
    EXPECT_EQ(cli("export --checkpoint " + (dir / "broken.pt").string() + " --out " + (dir / "n.pt").string(),
                  dir, &out, &err),
              1);
    EXPECT_NE(err.find("cannot read the checkpoint"), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(dir / "n.pt"));
}

TEST(AdapterExport, CliAdaptExportAndExportWriteTextModelsPythonLoads)
{
    TempDir dir;
    const auto checkpoint = textCheckpoint(dir);
    const std::vector<std::string> sentences = {"a lovely film", "A BORING play!", "never seen words"};
    std::string queries;
    for (const auto& s : sentences)
        queries += " --query-text \"" + s + "\"";
    std::string out, err;
    ASSERT_EQ(cli("adapt --checkpoint " + checkpoint.string() +
                      " --support-text \"good=loved it|great acting\" --support-text \"bad=hated it|dull "
                      "acting\" --steps 3 --json --export " +
                      (dir / "adapted.pt").string() + queries,
                  dir, &out, &err),
              0)
        << err;
    // Python tokenizes the sentences itself (the module's encode) and scores them.
    nlohmann::json c = {
        {"sentences", sentences},
        {"probabilities", probabilitiesOf(nlohmann::json::parse(out))},
        {"tolerance", 1e-5},
        {"attributes", {{"kind", "text"}, {"class_names", {"good", "bad"}}, {"sequence_length", 10}}}};
    int code = -1;
    auto check = pythonCheck(dir / "adapted.pt", c, dir, &code);
    EXPECT_EQ(code, 0) << check;
    EXPECT_NE(check.find("probabilities (3, 2)"), std::string::npos) << check;

    ASSERT_EQ(cli("export --checkpoint " + checkpoint.string() + " --out " + (dir / "meta.pt").string(), dir,
                  &out, &err),
              0)
        << err;
    EXPECT_NE(out.find("Transformer"), std::string::npos) << out;
    TextAdapter adapter(checkpoint);
    c["probabilities"] = nested(metaProbabilities(checkpoint, adapter.tokenizer().encodeBatch(sentences)));
    c["attributes"]["class_names"] = {"class 1", "class 2"};
    check = pythonCheck(dir / "meta.pt", c, dir, &code);
    EXPECT_EQ(code, 0) << check;

    // Before adapting there is nothing adapted to write.
    const std::string early = test::errorOf([&] { adapter.exportTorchScript(dir / "early.pt"); });
    EXPECT_NE(early.find("nothing adapted yet"), std::string::npos) << early;
}
