#pragma once
/// \file
/// Checking and repairing UTF-8 where text enters the program (data files, folder and file
/// names, label files): JSON output (config.json, checkpoints, --json) must be valid UTF-8,
/// and a Latin-1 byte found only when a result is written would lose the work done before.

#include <string>
#include <string_view>

namespace maml {

/// Whether `text` is valid UTF-8 (no stray continuation bytes, no overlong forms, no
/// surrogates, nothing above U+10FFFF).
bool isValidUtf8(std::string_view text);

/// `text` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD;
/// `*replaced` (when given) tells whether anything was replaced.
std::string toValidUtf8(std::string_view text, bool* replaced = nullptr);

} // namespace maml
