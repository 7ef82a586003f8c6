#pragma once
/// \file
/// Files compiled into the binary: resources/presets.json and datasets/*.json.

#include <map>
#include <string>

namespace maml::embedded {
/// File name (e.g. "presets.json", "cifar_fs.json") -> contents.
const std::map<std::string, std::string>& files();
} // namespace maml::embedded
