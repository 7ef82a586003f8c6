#include "core/engine/schedule.h"

#include <algorithm>
#include <cmath>

namespace maml {

std::vector<double> multiStepLossWeights(int steps, int64_t iteration, int64_t annealIterations)
{
    if (steps < 1 || iteration >= annealIterations)
        return {};
    const double s = steps;
    const double decay = 1.0 / s / static_cast<double>(annealIterations);
    const double minimum = 0.03 / s;
    const double it = static_cast<double>(iteration);
    std::vector<double> w(steps, 1.0 / s);
    for (int k = 0; k + 1 < steps; ++k)
        w[k] = std::max(w[k] - it * decay, minimum);
    w.back() = std::min(w.back() + it * (s - 1) * decay, 1.0 - (s - 1) * minimum);
    return w;
}

double cosineAnnealedLr(double maxLr, double minLr, int64_t iteration, int64_t iterations)
{
    const double pi = std::acos(-1.0);
    const double t = static_cast<double>(std::clamp<int64_t>(iteration, 0, iterations));
    return minLr + (maxLr - minLr) * (1 + std::cos(pi * t / static_cast<double>(iterations))) / 2;
}

IterationSchedule scheduleAt(const ExperimentConfig& c, int64_t iteration)
{
    IterationSchedule s;
    s.metaLr = c.cosineMetaLr ? cosineAnnealedLr(c.metaLr, c.metaLrMin, iteration, c.iterations) : c.metaLr;
    s.firstOrder = c.firstOrder || iteration < c.firstOrderIterations;
    if (c.multiStepLoss)
        s.stepLossWeights = multiStepLossWeights(c.innerStepsTrain, iteration, c.multiStepLossIterations);
    return s;
}

} // namespace maml
