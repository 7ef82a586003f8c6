#include "core/text/corpus_lexicon.h"

#include "core/text/word_tokenizer.h"
#include "core/util/error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_set>

namespace maml {

std::unordered_map<std::string, double> corpusWordScores(const TextCorpus& corpus,
                                                         const std::vector<int>& indices,
                                                         const CorpusLexiconOptions& options)
{
    if (corpus.labelNames().size() != 2)
        throw Error("the corpus lexicon needs text with two labels; " + corpus.name() + " has " +
                        std::to_string(corpus.labelNames().size()),
                    "config extra \"lexicon\"", "use \"lexicon\": \"afinn\" or \"none\" for this dataset");
    std::unordered_map<std::string, std::array<double, 2>> counts; // sentences holding the word, per label
    std::array<double, 2> sentences{0, 0};
    for (int index : indices) {
        const auto& ex = corpus.example(index);
        sentences[static_cast<size_t>(ex.label)] += 1;
        const auto tokens = WordTokenizer::split(ex.text);
        for (const auto& word : std::unordered_set<std::string>(tokens.begin(), tokens.end()))
            counts[word][static_cast<size_t>(ex.label)] += 1;
    }
    std::unordered_map<std::string, double> scores;
    if (sentences[0] == 0 || sentences[1] == 0)
        return scores; // one label only: nothing to contrast
    const double a = options.smoothing;
    for (const auto& [word, c] : counts) {
        if (c[0] + c[1] < options.minDocuments)
            continue;
        const double ratio =
            std::log((c[1] + a) / (sentences[1] + a)) - std::log((c[0] + a) / (sentences[0] + a));
        scores[word] = std::clamp(ratio, -options.clip, options.clip);
    }
    return scores;
}

} // namespace maml
