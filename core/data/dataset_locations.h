#pragma once
/// \file
/// Dataset folders the user chose once (the Data page's "Choose folder...", or
/// `maml-cli datasets --remember NAME DIR`) and that `cifar100`, `omniglot` and `fashion-mnist`
/// without a folder then find, in the workbench and the CLI alike. Kept in
/// $XDG_CONFIG_HOME/maml-workbench/datasets.json (~/.config/... when unset) as
/// {"cifar100": "/path", ...}.

#include <filesystem>
#include <optional>
#include <string>

namespace maml {

/// The file the chosen folders are kept in.
std::filesystem::path datasetLocationsFile();

/// The folder remembered for `name` ("cifar100", "omniglot", "fashion-mnist"), if one is and
/// it still exists. An unreadable or hand-broken file counts as none (it is only a memory).
std::optional<std::filesystem::path> rememberedLocation(const std::string& name);

/// Remembers `dir` (made absolute) for `name`, keeping the other entries; the file is written
/// atomically. Throws maml::Error if it cannot be written.
void rememberLocation(const std::string& name, const std::filesystem::path& dir);

} // namespace maml
