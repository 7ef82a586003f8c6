#pragma once
/// \file
/// A word-vocabulary tokenizer for the text experiments (sentencepiece cannot be linked next
/// to LibTorch: its bundled protobuf clashes with LibTorch's and crashes at start-up).

#include <torch/types.h>

#include <nlohmann/json.hpp>

#include <string>
#include <unordered_map>
#include <vector>

namespace maml {

/// Lower-cased words and single punctuation marks -> ids. Id 0 is [PAD], id 1 is [UNK].
/// Built from the meta-training text only, saved with the checkpoint (toJson/fromJson).
class WordTokenizer {
public:
    static constexpr int64_t kPad = 0;
    static constexpr int64_t kUnk = 1;
    static constexpr int kDefaultLength = 128;

    /// An empty vocabulary ([PAD] and [UNK] only).
    WordTokenizer();

    /// Splits `text` into lower-cased tokens: runs of letters, digits and apostrophes (bytes of
    /// UTF-8 sequences count as letters) form words; every other visible character is a token.
    static std::vector<std::string> split(const std::string& text);

    /// Builds a vocabulary from `texts`: words seen at least `minCount` times, most frequent
    /// first (ties alphabetical), at most `maxWords` of them (0 = no limit).
    static WordTokenizer build(const std::vector<std::string>& texts, int minCount = 1, int maxWords = 0,
                               int length = kDefaultLength);
    /// Adds the non-empty words not in the vocabulary yet (e.g. a sentiment lexicon's), in
    /// their order, after the existing ones.
    void appendWords(const std::vector<std::string>& words);

    /// Ids of `text`, padded with [PAD] or cut to length().
    std::vector<int64_t> encode(const std::string& text) const;
    /// Token ids of `texts` as an int64 tensor [texts.size(), length()].
    torch::Tensor encodeBatch(const std::vector<std::string>& texts) const;
    /// The words of `ids`, [PAD] dropped, unknown words shown as "[UNK]".
    std::string decode(const std::vector<int64_t>& ids) const;

    int64_t id(const std::string& word) const;
    int vocabSize() const { return static_cast<int>(m_words.size()); }
    int length() const { return m_length; }
    const std::vector<std::string>& words() const { return m_words; }

    /// {"type": "word", "length": L, "words": [...]} (ids are positions in "words").
    nlohmann::json toJson() const;
    /// Throws maml::Error if `json` is not a word vocabulary saved by toJson().
    static WordTokenizer fromJson(const nlohmann::json& json);

private:
    void add(const std::string& word);

    std::vector<std::string> m_words;
    std::unordered_map<std::string, int64_t> m_ids;
    int m_length = kDefaultLength;
};

} // namespace maml
