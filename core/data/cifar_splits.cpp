#include "core/data/cifar_splits.h"

#include "core/util/embedded.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace maml {

namespace {
nlohmann::json embeddedJson(const std::string& file)
{
    const auto& files = embedded::files();
    auto it = files.find(file);
    if (it == files.end())
        throw Error("the split definition is not compiled in", file, "Rebuild from a complete source tree");
    return nlohmann::json::parse(it->second);
}

int indexOf(const std::vector<std::string>& names, const std::string& name, const std::string& file)
{
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
        throw Error("the split names '" + name + "', which is not a label name of this copy", file,
                    "Check the *_label_names.txt files of the CIFAR-100 folder");
    return static_cast<int>(it - names.begin());
}

std::vector<int> fineClassesOf(const nlohmann::json& list, const std::vector<std::string>& names,
                               const std::string& file)
{
    std::vector<int> out;
    for (const auto& n : list)
        out.push_back(indexOf(names, n.get<std::string>(), file));
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<int> classesOfSuperclasses(const nlohmann::json& list,
                                       const std::vector<std::string>& coarseNames,
                                       const std::vector<int>& coarseOf, const std::string& file)
{
    std::set<int> wanted;
    for (const auto& n : list)
        wanted.insert(indexOf(coarseNames, n.get<std::string>(), file));
    std::vector<int> out;
    for (size_t c = 0; c < coarseOf.size(); ++c)
        if (wanted.count(coarseOf[c]))
            out.push_back(static_cast<int>(c));
    return out;
}
} // namespace

std::map<std::string, std::vector<int>> cifarSplits(const std::vector<std::string>& fineNames,
                                                    const std::vector<std::string>& coarseNames,
                                                    const std::vector<int>& coarseOf)
{
    std::map<std::string, std::vector<int>> splits;
    const auto fs = embeddedJson("cifar_fs.json");
    splits["test"] = fineClassesOf(fs.at("test"), fineNames, "cifar_fs.json");
    splits["val"] = fineClassesOf(fs.at("val"), fineNames, "cifar_fs.json");
    std::set<int> held(splits["test"].begin(), splits["test"].end());
    held.insert(splits["val"].begin(), splits["val"].end());
    for (int c = 0; c < static_cast<int>(fineNames.size()); ++c)
        if (!held.count(c))
            splits["train"].push_back(c);
    const auto fc = embeddedJson("fc100.json");
    for (const char* part : {"train", "val", "test"})
        splits[std::string("fc100-") + part] =
            classesOfSuperclasses(fc.at(part), coarseNames, coarseOf, "fc100.json");
    return splits;
}

} // namespace maml
