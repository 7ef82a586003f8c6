#pragma once
/// \file
/// Adapting a text checkpoint to a user's own sentences: support sentences per class, then
/// predictions with probabilities for query sentences - the text kind of ModelAdapter, which
/// `maml-cli adapt` and the GUI get from openAdapter(). No torch in this header.

#include "core/engine/adapter.h"
#include "core/text/word_tokenizer.h"

#include <filesystem>
#include <string>
#include <vector>

namespace maml {

/// A text model (the Transformer): support and query items are sentences, tokenized with the
/// vocabulary stored in the checkpoint. openAdapter() makes one for a text checkpoint.
class TextAdapter final : public ModelAdapter {
public:
    /// Loads a checkpoint trained on a text dataset (maml::Error if it is not one, or damaged).
    explicit TextAdapter(const std::filesystem::path& checkpoint);
    explicit TextAdapter(LoadedModel&& loaded);

    DataKind kind() const override { return DataKind::Text; }
    /// e.g. "2-way 5-shot Transformer of sentiment-uci (text: d_model 256, 1 layer(s), mean head,
    /// vocabulary of 3921 words)".
    std::string describe() const override;
    /// The labels of the corpus the model was trained on, when that corpus is on this machine.
    std::vector<std::string> dataLabels() const override;
    const WordTokenizer& tokenizer() const { return m_tokenizer; }

    /// 2..config().ways classes, each with at least one non-empty sentence; else maml::Error.
    void setSupport(const std::vector<TextClass>& classes);
    /// Class probabilities of each sentence (Prediction::item is the sentence).
    std::vector<Prediction> predict(const std::vector<std::string>& sentences) const;
    void setSupportItems(const std::vector<ItemClass>& classes) override;
    std::vector<Prediction> predictItems(const std::vector<std::string>& sentences) const override;

private:
    WordTokenizer m_tokenizer;
};

/// Parses `NAME=sentence|sentence...` (the CLI's --support-text), one class per spec.
std::vector<TextClass> parseSupportText(const std::vector<std::string>& specs);
/// Support sentences from a labelled file (TSV/CSV/JSON lines, see readTextFile): the label
/// column names the class; classes keep the order of first appearance.
std::vector<TextClass> supportTextFromFile(const std::filesystem::path& file);
/// Non-empty lines of a file, one query sentence each.
std::vector<std::string> sentencesFromFile(const std::filesystem::path& file);

} // namespace maml
