#include "ui/train/run_estimate.h"

#include "core/text/transformer_options.h"

#include <QThread>

#include <algorithm>
#include <cmath>

namespace maml::ui {
namespace {

// The estimate counts the multiply-adds of one item's forward pass through the model and the
// item passes of a meta-iteration, and turns them into seconds with a constant per model measured
// on the project's 2-core build machine (2 threads, second-order MAML; README.md "Performance"
// and "Measured results"):
//
//   Conv-4: 5-way 5-shot 15-query 3x32x32, 32 filters, 5 inner steps, meta-batch 4: 0.472 s per
//     iteration (bench) -> 1.48e-10 s per forward multiply-add. It predicts 3 min 4 s for the
//     Omniglot 5-way runs of 2,000 iterations (measured 3 min 3 s) and 46 s for glyphs-5w1s
//     (52 s with opening the data).
//   Transformer: sentiment-uci-2w5s (250 iterations, 1 thread: 2 min 48 s) -> 2e-11 s at 2
//     threads, counted at the full sequence length (batches are cut to their longest sentence,
//     hence the smaller constant); it predicts 4 min 18 s for sentiment-uci-2w10s (4 min 46 s).
//
// The backward passes and MAML's second-order terms are inside the constants; first-order MAML
// took 0.53 of the time. Tasks run one per thread, so more threads help up to the meta-batch;
// 1 -> 2 threads gave 1.67x, i.e. time ~ threads^-0.75.
constexpr double kConv4SecondsPerMac = 1.48e-10;
constexpr double kTransformerSecondsPerMac = 2e-11;
constexpr double kFirstOrderFactor = 0.53;

/// Multiply-adds of one item's forward pass, and the seconds per multiply-add of that model.
bool itemCost(const ExperimentConfig& c, double& macs, double& secondsPerMac)
{
    if (c.model == "conv4") {
        // Four 3x3 convolutions, each followed by a 2x2 max-pool.
        double size = c.imageSize, in = c.channels;
        macs = 0;
        for (int layer = 0; layer < 4; ++layer) {
            macs += size * size * 9 * in * c.filters;
            in = c.filters;
            size = std::floor(size / 2);
        }
        secondsPerMac = kConv4SecondsPerMac;
        return true;
    }
    if (c.model == "transformer") {
        const auto o = TransformerOptions::readConfig(c);
        const double d = o.dModel, length = o.length;
        // Per token and layer: Q, K, V and output projections, the feed-forward, attention.
        macs = length * o.layers * (4 * d * d + 2 * d * o.ff + 2 * length * d);
        secondsPerMac = kTransformerSecondsPerMac;
        return true;
    }
    return false;
}

} // namespace

double estimatedTrainingSeconds(const ExperimentConfig& c)
{
    double macs = 0, secondsPerMac = 0;
    if (!itemCost(c, macs, secondsPerMac))
        return 0;
    // A task of a meta-iteration: the support set once per inner step, then the query set.
    const double trainPasses = double(c.ways) * (double(c.shots) * c.innerStepsTrain + c.queries);
    double iteration = double(c.metaBatch) * trainPasses * macs * secondsPerMac;
    if (c.firstOrder)
        iteration *= kFirstOrderFactor;
    // A validation episode adapts with innerStepsEval steps and needs no meta-gradient: about
    // half the cost of a training task of that many passes.
    const double valPasses = double(c.ways) * (double(c.shots) * c.innerStepsEval + c.queries);
    const double validation = double(c.valEpisodes) * valPasses * macs * secondsPerMac / 2;
    // Every valEvery iterations and at the end.
    const double validations = std::ceil(double(c.iterations) / std::max(1, c.valEvery));
    const int cores = std::max(1, QThread::idealThreadCount());
    const int threads = std::clamp(c.threads > 0 ? c.threads : cores, 1, std::max(1, c.metaBatch));
    const double speed = std::pow(2.0 / threads, 0.75); // the constants are for 2 threads
    return (double(c.iterations) * iteration + validations * validation) * speed;
}

QString formatDuration(double seconds)
{
    if (!(seconds >= 0 && seconds < 1e12))
        return QStringLiteral("-");
    const auto s = static_cast<qint64>(std::llround(seconds));
    return s >= 3600 ? QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60)
           : s >= 60 ? QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60)
                     : QStringLiteral("%1 s").arg(s);
}

} // namespace maml::ui
