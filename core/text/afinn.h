#pragma once
/// \file
/// The AFINN-165 lexicon classifier (as in the npm package sentiment@5.0.2): the baseline
/// that few-shot sentiment models have to beat. It needs no training and ignores the support set.

#include "core/engine/evaluator.h"

#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace maml {

class TextTaskSource;

class AfinnClassifier {
public:
    /// Reads languages/en/labels.json (word -> score -5..5) and, when present, negators.json
    /// from the same folder (else the package's list: not, don't, isn't, ...). Throws
    /// maml::Error naming the file if it is missing or not a JSON object of integers.
    explicit AfinnClassifier(const std::filesystem::path& labelsJson);

    /// sentiment@5.0.2's tokenizer: lower case, the characters .,/#!?$%^&*;:{}=_`"~() become
    /// spaces, split on spaces.
    static std::vector<std::string> tokenize(const std::string& text);
    /// Sum of the word scores, a score negated when the word before it is a negator.
    int score(const std::string& text) const;
    /// True (positive) if score > 0; a score of 0 (no sentiment word, or a tie) is negative.
    bool positive(const std::string& text) const { return score(text) > 0; }
    int words() const { return static_cast<int>(m_scores.size()); }
    /// The lexicon: word (or short phrase) -> score -5..5.
    const std::unordered_map<std::string, int>& scores() const { return m_scores; }

    /// Accuracy on the query sets of `episodes` episodes of `source` (episode i is
    /// source.batch(seed, i, 1), the evaluator's episode i), per episode as mean and 95% CI. The
    /// corpus' labels must be "negative" and "positive" (else maml::Error). `tiesOut` (optional) gets the
    /// share of scores of 0.
    MeanCi evaluate(const TextTaskSource& source, int episodes, uint64_t seed,
                    double* tiesOut = nullptr) const;

private:
    std::unordered_map<std::string, int> m_scores;
    std::unordered_map<std::string, bool> m_negators;
};

} // namespace maml
