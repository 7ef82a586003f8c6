#include "core/engine/eta.h"

#include <algorithm>
#include <numeric>

namespace maml {

namespace {
constexpr size_t kWindow = 50;
}

EtaEstimator::EtaEstimator(int64_t iterations, int valEvery)
    : m_iterations(iterations), m_valEvery(std::max(1, valEvery))
{
}

void EtaEstimator::addStep(double seconds)
{
    if (m_first < 0) {
        m_first = seconds;
        return;
    }
    m_recent.push_back(seconds);
    if (m_recent.size() > kWindow)
        m_recent.pop_front();
}

void EtaEstimator::addValidation(double seconds)
{
    m_lastValidation = seconds;
    m_haveValidation = true;
}

double EtaEstimator::secondsPerStep() const
{
    if (m_recent.empty())
        return std::max(0.0, m_first);
    return std::accumulate(m_recent.begin(), m_recent.end(), 0.0) / static_cast<double>(m_recent.size());
}

int64_t EtaEstimator::validationsLeft(int64_t done) const
{
    if (done >= m_iterations)
        return 0;
    int64_t left = m_iterations / m_valEvery - done / m_valEvery;
    if (m_iterations % m_valEvery != 0)
        ++left; // the final validation
    return left;
}

double EtaEstimator::remainingSeconds(int64_t done) const
{
    const double steps = static_cast<double>(std::max<int64_t>(0, m_iterations - done));
    double eta = steps * secondsPerStep();
    if (m_haveValidation)
        eta += static_cast<double>(validationsLeft(done)) * m_lastValidation;
    return eta;
}

} // namespace maml
