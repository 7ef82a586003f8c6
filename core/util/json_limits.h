#pragma once
/// \file
/// Reading JSON that comes from files (configs, checkpoints' info, metrics lines, text data)
/// with bounds: nesting depth, size, numbers that fit in a double. nlohmann's parser itself
/// is iterative, but copying, comparing or dumping a value recurses once per level, so a value
/// nested 100,000 levels deep would overflow the stack later, far from where it was read.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <string>

namespace maml {

struct JsonLimits {
    int maxDepth = 64;                  ///< objects and arrays nested at most this deep
    size_t maxBytes = size_t(64) << 20; ///< the text (or file) is at most this long
};

/// Parses `text`. Every failure is a maml::Error naming `where` (a file, "FILE:LINE", ...):
/// not JSON (with line and column), nested too deeply, too long, a number too large for a
/// double (with the key it belongs to), text that is not UTF-8.
nlohmann::json parseJsonText(const std::string& text, const std::string& where, const JsonLimits& limits = {},
                             const std::string& hint = "Fix the file or write it again");

/// Reads and parses a JSON file; checks its size before reading it. Errors as parseJsonText.
nlohmann::json readJsonFile(const std::filesystem::path& path, const JsonLimits& limits = {},
                            const std::string& hint = "Fix the file or write it again");

/// Reads a whole file of at most `maxBytes` bytes; a larger file is a maml::Error saying so
/// (instead of filling the memory). `what` names the kind of file in the message.
std::string readFileCapped(const std::filesystem::path& path, size_t maxBytes,
                           const std::string& what = "file");

} // namespace maml
