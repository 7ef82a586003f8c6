#pragma once
/// \file
/// The remaining time of a training run from its measured speed. Training steps and
/// validations are timed apart: a validation can cost as much as many steps (the study's 100
/// episodes of 10 steps every 9 iterations), so a plain iterations-per-second rate would be
/// wrong until several validations have passed. No torch here.

#include <cstdint>
#include <deque>

namespace maml {

class EtaEstimator {
public:
    /// A run of `iterations` meta-iterations validated every `valEvery` and at the end.
    EtaEstimator(int64_t iterations, int valEvery);

    /// One meta-iteration's training time. The first one (warm-up: allocations, caches) is
    /// left out once a second one is known.
    void addStep(double seconds);
    /// One validation's time (with the checkpoint it writes).
    void addValidation(double seconds);

    /// Mean of the last (up to) 50 training steps; 0 before the first.
    double secondsPerStep() const;
    /// Estimated seconds to the end after `done` iterations: the remaining steps at the measured
    /// step time plus the remaining validations at the last validation's time (none counted
    /// before the first validation was measured).
    double remainingSeconds(int64_t done) const;
    /// Validations still to come after `done` iterations.
    int64_t validationsLeft(int64_t done) const;

private:
    int64_t m_iterations;
    int m_valEvery;
    double m_first = -1;
    std::deque<double> m_recent;
    double m_lastValidation = 0;
    bool m_haveValidation = false;
};

} // namespace maml
