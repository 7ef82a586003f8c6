#pragma once
/// \file
/// Adapting a text checkpoint to a user's own sentences: support sentences per class, then
/// predictions with probabilities for query sentences. What `maml-cli adapt --support-text`
/// and the GUI's text mode call. No torch in this header.

#include "core/engine/adapter.h"
#include "core/text/word_tokenizer.h"

#include <filesystem>
#include <string>
#include <vector>

namespace maml {

/// One class of a text support set.
struct TextClass {
    std::string name;
    std::vector<std::string> sentences;
};

class TextAdapter {
public:
    /// Loads a checkpoint trained on a text dataset (maml::Error if it is not one, or damaged).
    explicit TextAdapter(const std::filesystem::path& checkpoint);

    const ExperimentConfig& config() const { return m_adapter.config(); }
    const WordTokenizer& tokenizer() const { return m_tokenizer; }

    /// 2..config().ways classes, each with at least one non-empty sentence; else maml::Error.
    void setSupport(const std::vector<TextClass>& classes);
    const std::vector<std::string>& classNames() const { return m_adapter.classNames(); }
    /// Adapts from the meta-parameters (`steps` -1: the config's innerStepsEval).
    double adapt(int steps = -1, const std::function<void(int, double)>& onStep = {},
                 RunControl* control = nullptr);
    void reset() { m_adapter.reset(); }
    bool adapted() const { return m_adapter.adapted(); }
    /// Class probabilities of each sentence (Prediction::item is the sentence).
    std::vector<Prediction> predict(const std::vector<std::string>& sentences) const;

private:
    Adapter m_adapter;
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
