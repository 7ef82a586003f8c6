#pragma once
/// \file
/// The start-up check of a distributed run: every rank must run the same program on the same
/// settings, else the run would silently compute something else on each machine.

#include <nlohmann/json.hpp>

namespace maml {

class Collective;

/// What must match on every rank: `config` (an ExperimentConfig's JSON, or null when the rank
/// takes rank 0's) without the rank-local "threads" and "processes", the build id and the
/// LibTorch version.
nlohmann::json setupFingerprint(const nlohmann::json& config);

/// Publishes this rank's fingerprint and compares every rank's with rank 0's. A difference is
/// a maml::Error on every rank naming the ranks and the first differing setting.
void checkSameSetup(Collective& collective, const nlohmann::json& fingerprint, double timeoutSeconds);

} // namespace maml
