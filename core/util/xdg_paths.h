#pragma once
/// \file
/// Where the product keeps its files: the XDG base directories, each with one
/// `maml-workbench` folder (never the source tree, never the name twice).

#include <filesystem>

namespace maml {

/// `$var/maml-workbench` when the environment variable `var` is set to an absolute path, else
/// `$HOME/<homeFallback>/maml-workbench`, else `<temp>/maml-workbench-<tempSuffix>`.
/// Relative values are ignored, as the XDG Base Directory specification asks.
std::filesystem::path xdgAppDir(const char* var, const char* homeFallback, const char* tempSuffix);

/// Where new runs go by default: $XDG_DATA_HOME/maml-workbench/runs
/// (~/.local/share/maml-workbench/runs when unset).
std::filesystem::path defaultRunsDir();

} // namespace maml
