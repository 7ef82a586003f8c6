#pragma once
/// \file
/// Writing files so that a crash or a full disk never leaves half a file behind.

#include <filesystem>
#include <functional>
#include <string>

namespace maml {

/// Writes `bytes` to `path` through a temporary file in the same folder, flushed and then
/// fsynced and then renamed over `path` (core/util/atomic_writer.h). On any failure the
/// temporary is removed, `path` keeps its old contents, and a maml::Error says what went
/// wrong ("the disk is full" for ENOSPC). An empty path or one naming a folder is refused.
void writeFileAtomic(const std::filesystem::path& path, const std::string& bytes);

/// Like writeFileAtomic, but `writer` writes the temporary file itself (given its path),
/// e.g. torch::save or cv::imwrite. The temporary is renamed over `path` only if `writer`
/// returns without throwing and the file it wrote is non-empty.
void writeFileAtomicWith(const std::filesystem::path& path,
                         const std::function<void(const std::filesystem::path& tmp)>& writer);

/// Reads a whole file; throws maml::Error naming the file if it cannot be read.
std::string readFile(const std::filesystem::path& path);

} // namespace maml
