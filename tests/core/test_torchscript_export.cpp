// TorchScript export: a module written by the workbench, loaded by Debian's python3 with plain
// PyTorch (tests/export/check_torchscript.py), gives the workbench's probabilities.
#include "core/engine/conv4.h"
#include "core/engine/meta_learner.h"
#include "core/engine/torchscript_export.h"
#include "core/text/text_export.h"
#include "core/text/transformer.h"
#include "core/util/error.h"
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
