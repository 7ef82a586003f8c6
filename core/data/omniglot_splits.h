#pragma once
/// \file
/// Omniglot's fixed split by alphabet (datasets/omniglot.json, compiled into the binary).

#include <string>

namespace maml {

/// "train", "val" or "test" for an alphabet. `fromEvaluationSet`: the alphabet is a folder of
/// images_evaluation (always "test"); the background set's "test" alphabets then go to "train".
/// Alphabets not listed in omniglot.json go by an FNV-1a hash of their name (64/16/20%).
std::string omniglotSplitOf(const std::string& alphabet, bool fromEvaluationSet, bool evaluationSetPresent);

} // namespace maml
