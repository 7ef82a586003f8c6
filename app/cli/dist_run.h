#pragma once
// One rank of a distributed train, resume or eval: connect, check that every rank runs the
// same program on the same settings, run, and turn a failed collective into a message that
// says how to resume.

#include "core/dist/dist_options.h"
#include "core/engine/evaluator.h"
#include "core/engine/trainer.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace maml::cli {

/// Trains as rank options.rank: rank 0 through `startOrResume` (Trainer::startRun or
/// resumeRun with the role it is given), the others through Trainer::joinRun. `config` is this
/// rank's config for the start-up check (null when the ranks take rank 0's, as in resume);
/// `threads` -1 = the cores divided among this machine's ranks. Throws Cancelled (exit 130)
/// after a Ctrl-C.
void trainAsRank(const DistOptions& options, const std::string& runDir, const nlohmann::json& config,
                 int threads, const std::function<Trainer(const RunRole&)>& startOrResume);

/// Evaluates as rank options.rank: rank 0 sends its checkpoint file and evaluation options to
/// the others (which need neither), every rank scores its share of the episodes, and every
/// rank returns the whole result.
EvalResult evaluateAsRank(const DistOptions& options, const std::string& checkpoint, EvalOptions evalOptions,
                          const EvalProgressCallback& progress);

} // namespace maml::cli
