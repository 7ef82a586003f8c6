#pragma once
/// \file
/// The Collective of a real run: a c10d TCPStore hosted by rank 0 (the rendezvous, heartbeats,
/// small values) and a c10d ProcessGroupGloo (the all-reduce). The c10d headers stay in the
/// .cpp file.

#include "core/dist/collective.h"
#include "core/dist/dist_options.h"

#include <memory>

namespace maml {

/// Connects this process to the run `options` describes and returns when every rank is there:
/// rank 0 opens the store on options.masterPort, the others connect to it, then Gloo connects
/// every pair of ranks. Connecting waits up to options.timeoutSeconds. A port in use, a master
/// that cannot be reached and ranks that do not show up are maml::Error saying what to do.
std::shared_ptr<Collective> connectGloo(const DistOptions& options);

} // namespace maml
