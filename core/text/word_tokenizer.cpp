#include "core/text/word_tokenizer.h"

#include "core/util/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace maml {
namespace {

bool isWordByte(unsigned char c)
{
    return std::isalnum(c) || c == '\'' || c >= 0x80;
}

} // namespace

WordTokenizer::WordTokenizer()
{
    add("[PAD]");
    add("[UNK]");
}

void WordTokenizer::add(const std::string& word)
{
    m_ids.emplace(word, static_cast<int64_t>(m_words.size()));
    m_words.push_back(word);
}

std::vector<std::string> WordTokenizer::split(const std::string& text)
{
    std::vector<std::string> tokens;
    std::string word;
    auto flush = [&] {
        // Apostrophes only matter inside words ("don't"), not as quotes around them.
        while (!word.empty() && word.back() == '\'')
            word.pop_back();
        size_t start = word.find_first_not_of('\'');
        if (start != std::string::npos)
            tokens.push_back(word.substr(start));
        word.clear();
    };
    for (unsigned char c : text) {
        if (isWordByte(c)) {
            word.push_back(static_cast<char>(std::tolower(c)));
            continue;
        }
        flush();
        if (std::isgraph(c))
            tokens.emplace_back(1, static_cast<char>(c));
    }
    flush();
    return tokens;
}

WordTokenizer WordTokenizer::build(const std::vector<std::string>& texts, int minCount, int maxWords,
                                   int length)
{
    if (length < 1)
        throw Error("token length must be at least 1", "length " + std::to_string(length));
    std::map<std::string, int> counts;
    for (const auto& text : texts)
        for (const auto& token : split(text))
            ++counts[token];
    std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    WordTokenizer tokenizer;
    tokenizer.m_length = length;
    for (const auto& [word, count] : sorted) {
        if (count < minCount)
            break;
        if (maxWords > 0 && tokenizer.vocabSize() - 2 >= maxWords)
            break;
        if (!tokenizer.m_ids.count(word))
            tokenizer.add(word);
    }
    return tokenizer;
}

void WordTokenizer::appendWords(const std::vector<std::string>& words)
{
    for (const auto& word : words)
        if (!word.empty() && !m_ids.count(word))
            add(word);
}

int64_t WordTokenizer::id(const std::string& word) const
{
    auto it = m_ids.find(word);
    return it == m_ids.end() ? kUnk : it->second;
}

std::vector<int64_t> WordTokenizer::encode(const std::string& text) const
{
    std::vector<int64_t> ids(static_cast<size_t>(m_length), kPad);
    auto tokens = split(text);
    size_t n = std::min(tokens.size(), ids.size());
    for (size_t i = 0; i < n; ++i)
        ids[i] = id(tokens[i]);
    return ids;
}

torch::Tensor WordTokenizer::encodeBatch(const std::vector<std::string>& texts) const
{
    auto out = torch::zeros({static_cast<int64_t>(texts.size()), m_length}, torch::kInt64);
    auto acc = out.accessor<int64_t, 2>();
    for (size_t r = 0; r < texts.size(); ++r) {
        auto ids = encode(texts[r]);
        for (int c = 0; c < m_length; ++c)
            acc[static_cast<int64_t>(r)][c] = ids[static_cast<size_t>(c)];
    }
    return out;
}

std::string WordTokenizer::decode(const std::vector<int64_t>& ids) const
{
    std::string out;
    for (int64_t i : ids) {
        if (i == kPad)
            continue;
        if (!out.empty())
            out += ' ';
        out += (i > 0 && i < vocabSize()) ? m_words[static_cast<size_t>(i)] : "[UNK]";
    }
    return out;
}

nlohmann::json WordTokenizer::toJson() const
{
    return {{"type", "word"}, {"length", m_length}, {"words", m_words}};
}

WordTokenizer WordTokenizer::fromJson(const nlohmann::json& json)
{
    const char* hint = "the checkpoint's tokenizer is damaged; retrain or use another checkpoint";
    if (!json.is_object() || json.value("type", "") != "word" || !json.contains("words") ||
        !json["words"].is_array() || !json.contains("length") || !json["length"].is_number_integer())
        throw Error("not a word vocabulary", "tokenizer", hint);
    auto words = json["words"].get<std::vector<std::string>>();
    if (words.size() < 2 || words[0] != "[PAD]" || words[1] != "[UNK]")
        throw Error("vocabulary does not start with [PAD], [UNK]", "tokenizer", hint);
    WordTokenizer tokenizer;
    tokenizer.m_length = json["length"].get<int>();
    if (tokenizer.m_length < 1)
        throw Error("token length must be at least 1", "tokenizer", hint);
    for (size_t i = 2; i < words.size(); ++i) {
        if (tokenizer.m_ids.count(words[i]))
            throw Error("word \"" + words[i] + "\" appears twice", "tokenizer", hint);
        tokenizer.add(words[i]);
    }
    return tokenizer;
}

} // namespace maml
