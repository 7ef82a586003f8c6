#pragma once
/// \file
/// The text part of a TorchScript export (core/engine/torchscript_export.h): the tokenizer's
/// vocabulary and sequence length as attributes, and `tokenize(text) -> List[int]` /
/// `encode(texts) -> Tensor` methods that turn sentences into the token ids `forward` takes,
/// exactly as WordTokenizer::encode does.

#include "core/text/word_tokenizer.h"

namespace torch::jit {
struct Module;
}

namespace maml {

void addTextTorchScript(torch::jit::Module& module, const WordTokenizer& tokenizer);

} // namespace maml
