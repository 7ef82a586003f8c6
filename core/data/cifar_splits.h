#pragma once
/// \file
/// The CIFAR-FS and FC100 class splits of CIFAR-100 (datasets/cifar_fs.json, fc100.json,
/// compiled into the binary).

#include <map>
#include <string>
#include <vector>

namespace maml {

/// "train"/"val"/"test" by fine class name (CIFAR-FS; "train" = the fine classes not listed)
/// and "fc100-train"/"fc100-val"/"fc100-test" by superclass (FC100; `coarseOf[c]` is the
/// superclass index of fine class c, -1 if unknown). Throws maml::Error if a listed name is not
/// among the label names.
std::map<std::string, std::vector<int>> cifarSplits(const std::vector<std::string>& fineNames,
                                                    const std::vector<std::string>& coarseNames,
                                                    const std::vector<int>& coarseOf);

} // namespace maml
