#include "core/data/omniglot_splits.h"

#include "core/util/embedded.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>

namespace maml {

namespace {
const nlohmann::json& definition()
{
    static const nlohmann::json json = [] {
        const auto& files = embedded::files();
        auto it = files.find("omniglot.json");
        return it == files.end() ? nlohmann::json::object() : nlohmann::json::parse(it->second);
    }();
    return json;
}

bool listed(const std::string& part, const std::string& alphabet)
{
    const auto& def = definition();
    if (!def.contains(part))
        return false;
    const auto& list = def.at(part);
    return std::find(list.begin(), list.end(), alphabet) != list.end();
}

std::string byHash(const std::string& alphabet)
{
    uint32_t h = 2166136261u;
    for (unsigned char c : alphabet)
        h = (h ^ c) * 16777619u;
    const uint32_t bucket = h % 100;
    return bucket < 64 ? "train" : bucket < 80 ? "val" : "test";
}
} // namespace

std::string omniglotSplitOf(const std::string& alphabet, bool fromEvaluationSet, bool evaluationSetPresent)
{
    if (fromEvaluationSet)
        return "test";
    for (const char* part : {"train", "val", "test"})
        if (listed(part, alphabet)) {
            const std::string p = part;
            return (p == "test" && evaluationSetPresent) ? "train" : p;
        }
    const std::string h = byHash(alphabet);
    return (h == "test" && evaluationSetPresent) ? "train" : h;
}

} // namespace maml
