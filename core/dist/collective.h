#pragma once
/// \file
/// The collective operations of distributed meta-training, behind a narrow interface so that
/// the engine never includes c10d: a sum over all processes ("ranks") of one flat buffer, and
/// small values exchanged through the run's rendezvous store. gloo_collective.h implements it
/// on c10d's ProcessGroupGloo and TCPStore.

#include "core/util/error.h"

#include <string>

namespace at {
class Tensor;
}

namespace maml {

/// One process's view of a distributed run of worldSize() processes.
class Collective {
public:
    virtual ~Collective() = default;

    virtual int rank() const = 0;
    virtual int worldSize() const = 0;
    /// Seconds a collective operation may wait for the other ranks (--timeout).
    virtual double timeoutSeconds() const = 0;

    /// Names what the following operations belong to, for fault messages and the heartbeats
    /// other ranks read, e.g. "meta-iteration 41".
    virtual void setStep(const std::string& step) = 0;
    virtual std::string step() const = 0;

    /// Element-wise sum over all ranks of `buffer` (a contiguous 1-D CPU tensor), in place.
    /// Every rank ends with the same bits. Throws CollectiveFailure naming the rank that did
    /// not answer.
    virtual void allReduceSum(at::Tensor& buffer) = 0;

    /// Stores a small value (a config, a serialised model state) under `key` for every rank.
    virtual void publish(const std::string& key, const std::string& value) = 0;
    /// The value of `key`, waiting up to `timeoutSeconds` for some rank to publish it.
    virtual std::string fetch(const std::string& key, double timeoutSeconds) = 0;
    /// Removes `key` (if present).
    virtual void remove(const std::string& key) = 0;
    /// Returns when every rank has reached the barrier `name` (each name is used once);
    /// throws CollectiveFailure naming the missing ranks after `timeoutSeconds`.
    virtual void barrier(const std::string& name, double timeoutSeconds) = 0;

    /// The last call of a run: the other ranks say they are done, and rank 0 (which hosts the
    /// store) waits up to `timeoutSeconds` for them before it goes away.
    virtual void finish(double timeoutSeconds) = 0;

    /// Wall time spent inside allReduceSum so far, and the number of calls (for benchmarks).
    virtual double allReduceSeconds() const = 0;
    virtual long allReduceCalls() const = 0;
};

/// A collective operation failed: a rank exited, hung, or could not be reached. The message
/// names the rank where that can be known.
class CollectiveFailure : public Error {
public:
    using Error::Error;
};

} // namespace maml
