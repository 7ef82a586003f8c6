// Shared by the libFuzzer targets: a scratch folder in memory, files from the input, and the
// rule every target checks: bad input is a maml::Error (or a clean result), never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

namespace maml::fuzz {

/// A folder of this process under /dev/shm (or /tmp), emptied by clear().
const std::filesystem::path& scratch();
void clear();

void writeFile(const std::filesystem::path& file, std::string_view bytes);
/// `bytes` compressed with gzip.
std::string gzip(std::string_view bytes);

/// The input split at the first occurrence of `separator` (the whole input and "" without one).
std::pair<std::string_view, std::string_view> splitAt(std::string_view input, std::string_view separator);

/// Quiets spdlog (readers warn about what they repair) and torch's warnings.
void quiet(); // also registers the built-in modules (core/modules.h)

/// Aborts (a finding) when `condition` is false.
void require(bool condition, const char* what);

} // namespace maml::fuzz
