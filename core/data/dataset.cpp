#include "core/data/dataset.h"

#include "core/util/error.h"

namespace maml {

int ImageDataset::totalImages() const
{
    int total = 0;
    for (int c = 0; c < classCount(); ++c)
        total += imageCount(c);
    return total;
}

std::map<std::string, std::vector<int>> ImageDataset::splits() const
{
    std::vector<int> all(classCount());
    for (int c = 0; c < classCount(); ++c)
        all[c] = c;
    return {{"all", all}};
}

std::vector<int> ImageDataset::splitClasses(const std::string& split) const
{
    const auto s = splits();
    auto it = s.find(split);
    if (it != s.end())
        return it->second;
    std::string known;
    for (const auto& [k, _] : s)
        known += (known.empty() ? "" : ", ") + k;
    throw Error("unknown split '" + split + "'", name(), "Use one of: " + known);
}

int ImageDataset::classIndex(const std::string& className) const
{
    const auto& names = classNames();
    for (int c = 0; c < classCount(); ++c)
        if (names[c] == className)
            return c;
    std::string close;
    for (const auto& n : names)
        if (n.find(className) != std::string::npos || className.find(n) != std::string::npos)
            close += (close.empty() ? "" : ", ") + n;
    throw Error("no class named '" + className + "'", name() + " at " + location(),
                close.empty() ? "Run `maml-cli datasets` to see the class names" : "Did you mean: " + close);
}

} // namespace maml
