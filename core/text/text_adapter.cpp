#include "core/text/text_adapter.h"

#include "core/engine/checkpoint.h"
#include "core/text/text_datasets.h"
#include "core/text/text_readers.h"
#include "core/text/text_task_source.h"
#include "core/text/transformer_options.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_limits.h"
#include "core/util/utf8.h"

#include <torch/torch.h>

#include <sstream>

namespace maml {
namespace {

std::string trimmed(const std::string& s)
{
    auto b = s.find_first_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

} // namespace

TextAdapter::TextAdapter(const std::filesystem::path& checkpoint) : TextAdapter(loadModel(checkpoint)) {}

TextAdapter::TextAdapter(LoadedModel&& loaded) : ModelAdapter(std::move(loaded))
{
    if (dataKindOf(config().dataset) != DataKind::Text)
        throw Error(
            "the kinds of data differ: this is not a text model (" + config().model + ", trained on " +
                config().dataset + ") and the support set is text",
            "text adapter",
            "Give images with --support/--query, or a checkpoint trained on sentiment-uci, imdb50k or "
            "text:FILE");
    m_tokenizer = textTokenizer(config());
}

std::string TextAdapter::describe() const
{
    const auto& c = config();
    const auto o = TransformerOptions::readConfig(c);
    return std::to_string(c.ways) + "-way " + std::to_string(c.shots) + "-shot Transformer of " + c.dataset +
           " (text: d_model " + std::to_string(o.dModel) + ", " + std::to_string(o.layers) + " layer(s), " +
           o.head + " head, vocabulary of " + std::to_string(m_tokenizer.vocabSize()) + " words)";
}

std::vector<std::string> TextAdapter::dataLabels() const
{
    try {
        return sharedTextCorpus(config().dataset)->labelNames();
    } catch (const std::exception&) {
        return {}; // trained elsewhere: the corpus is not on this machine
    }
}

void TextAdapter::setSupport(const std::vector<TextClass>& classes)
{
    std::vector<std::string> texts, names;
    std::vector<int64_t> labels;
    for (const auto& c : classes) {
        int count = 0;
        for (const auto& s : c.sentences) {
            if (trimmed(s).empty())
                continue;
            texts.push_back(s);
            labels.push_back(static_cast<int64_t>(names.size()));
            ++count;
        }
        if (count == 0)
            throw Error("class \"" + c.name + "\" has no support sentence", "text support set",
                        "give at least one sentence per class");
        names.push_back(c.name);
    }
    setSupportTensors(m_tokenizer.encodeBatch(texts), torch::tensor(labels, torch::kInt64), names);
}

std::vector<Prediction> TextAdapter::predict(const std::vector<std::string>& sentences) const
{
    if (sentences.empty())
        throw Error("no query sentences", "text adapter", "give at least one sentence");
    return predictTensors(m_tokenizer.encodeBatch(sentences), sentences);
}

void TextAdapter::setSupportItems(const std::vector<ItemClass>& classes)
{
    std::vector<TextClass> support;
    for (const auto& c : classes)
        support.push_back({c.name, c.items});
    setSupport(support);
}

std::vector<Prediction> TextAdapter::predictItems(const std::vector<std::string>& sentences) const
{
    return predict(sentences);
}

std::vector<TextClass> parseSupportText(const std::vector<std::string>& specs)
{
    std::vector<TextClass> out;
    for (const auto& spec : specs) {
        auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0 || trimmed(spec.substr(eq + 1)).empty())
            throw Error("--support-text needs NAME=\"sentence|sentence...\", got '" + spec + "'",
                        "maml-cli adapt", "e.g. --support-text pos=\"great film|loved it\"");
        TextClass c{toValidUtf8(trimmed(spec.substr(0, eq))), {}};
        std::stringstream in(spec.substr(eq + 1));
        for (std::string s; std::getline(in, s, '|');)
            if (!trimmed(s).empty())
                c.sentences.push_back(toValidUtf8(trimmed(s)));
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<TextClass> supportTextFromFile(const std::filesystem::path& file)
{
    std::vector<TextClass> out;
    for (const auto& row : readTextFile(file)) {
        auto it =
            std::find_if(out.begin(), out.end(), [&](const TextClass& c) { return c.name == row.label; });
        if (it == out.end())
            it = out.insert(out.end(), TextClass{row.label, {}});
        it->sentences.push_back(row.text);
    }
    return out;
}

std::vector<std::string> sentencesFromFile(const std::filesystem::path& file)
{
    std::vector<std::string> out;
    std::stringstream in(readFileCapped(file, size_t(1) << 30, "text file"));
    for (std::string line; std::getline(in, line);)
        if (!trimmed(line).empty())
            out.push_back(toValidUtf8(trimmed(line)));
    if (out.empty())
        throw Error("no sentences", file.string(), "write one query sentence per line");
    return out;
}

} // namespace maml
