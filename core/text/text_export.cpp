#include "core/text/text_export.h"

#include <torch/script.h>

namespace maml {

namespace {
/// WordTokenizer::split and encode in TorchScript: ASCII letters, digits and apostrophes (and
/// every non-ASCII character, as the C++ code treats UTF-8 bytes) form words, lower-cased in
/// ASCII only; every other visible ASCII character is a token; apostrophes around a word go.
constexpr const char* kTokenize = R"JIT(
def tokenize(self, text: str) -> List[int]:
    tokens: List[str] = []
    word = ""
    for ch in text + " ":
        o = ord(ch)
        if (o >= 48 and o <= 57) or (o >= 65 and o <= 90) or (o >= 97 and o <= 122) or o == 39 or o >= 128:
            if o >= 65 and o <= 90:
                ch = chr(o + 32)
            word = word + ch
        else:
            start = 0
            end = len(word)
            while start < end and word[start] == "'":
                start += 1
            while end > start and word[end - 1] == "'":
                end -= 1
            if end > start:
                tokens.append(word[start:end])
            word = ""
            if o > 32 and o < 127:
                tokens.append(ch)
    ids: List[int] = []
    for token in tokens:
        if len(ids) >= self.sequence_length:
            break
        ids.append(self.vocabulary.get(token, 1))
    while len(ids) < self.sequence_length:
        ids.append(0)
    return ids

def encode(self, texts: List[str]) -> Tensor:
    rows: List[List[int]] = []
    for text in texts:
        rows.append(self.tokenize(text))
    return torch.tensor(rows)
)JIT";
} // namespace

void addTextTorchScript(torch::jit::Module& module, const WordTokenizer& tokenizer)
{
    c10::Dict<std::string, int64_t> vocabulary;
    const auto& words = tokenizer.words();
    for (size_t i = 0; i < words.size(); ++i)
        vocabulary.insert(words[i], static_cast<int64_t>(i));
    module.register_attribute("vocabulary",
                              c10::DictType::create(c10::StringType::get(), c10::IntType::get()), vocabulary);
    module.register_attribute("sequence_length", c10::IntType::get(),
                              static_cast<int64_t>(tokenizer.length()));
    module.define(kTokenize);
}

} // namespace maml
