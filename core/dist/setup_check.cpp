#include "core/dist/setup_check.h"

#include "core/dist/collective.h"
#include "core/util/build_info.h"
#include "core/util/error.h"

#include <torch/version.h>

namespace maml {

namespace {
using nlohmann::json;

/// The first key (in order) whose values differ, as "key: A on rank 0, B on rank R".
std::string firstDifference(const json& a, const json& b, int rank)
{
    for (const auto& [key, value] : a.items()) {
        const json other = b.contains(key) ? b.at(key) : json();
        if (value != other)
            return key + " is " + value.dump() + " on rank 0 but " + other.dump() + " on rank " +
                   std::to_string(rank);
    }
    for (const auto& [key, value] : b.items())
        if (!a.contains(key))
            return key + " is only set on rank " + std::to_string(rank) + " (" + value.dump() + ")";
    return {};
}
} // namespace

json setupFingerprint(const json& config)
{
    json c = config;
    if (c.is_object()) { // rank-local settings
        c.erase("threads");
        c.erase("processes");
    }
    return {{"build", std::string(projectVersion()) + " " + gitRevision()},
            {"libtorch", TORCH_VERSION},
            {"config", c}};
}

namespace {
/// The first way rank `r`'s fingerprint differs from rank 0's, as a maml::Error message; empty
/// when they match.
std::string mismatch(const json& first, const json& other, int r)
{
    for (const char* part : {"build", "libtorch"})
        if (first.at(part) != other.at(part))
            return "ranks 0 and " + std::to_string(r) + " run different programs: " + part + " " +
                   first.at(part).dump() + " on rank 0, " + other.at(part).dump() + " on rank " +
                   std::to_string(r);
    const json& a = first.at("config");
    const json& b = other.at("config");
    if (a.is_object() && b.is_object() && a != b)
        return "ranks 0 and " + std::to_string(r) +
               " were given different settings: " + firstDifference(a, b, r);
    return {};
}
} // namespace

void checkSameSetup(Collective& collective, const json& fingerprint, double timeoutSeconds)
{
    collective.setStep("the start-up check");
    collective.publish("maml/setup/" + std::to_string(collective.rank()), fingerprint.dump());
    const json first = json::parse(collective.fetch("maml/setup/0", timeoutSeconds));
    std::string problem;
    bool programs = false;
    for (int r = 1; r < collective.worldSize() && problem.empty(); ++r) {
        const json other = json::parse(collective.fetch("maml/setup/" + std::to_string(r), timeoutSeconds));
        problem = mismatch(first, other, r);
        programs = first.at("build") != other.at("build") || first.at("libtorch") != other.at("libtorch");
    }
    if (problem.empty())
        return;
    collective.finish(timeoutSeconds); // every rank finds the same problem; rank 0 leaves last
    throw Error(problem, "distributed start-up check",
                programs ? "Install the same maml-cli build on every machine"
                         : "Start every rank with the same preset, --config file and overrides");
}

} // namespace maml
