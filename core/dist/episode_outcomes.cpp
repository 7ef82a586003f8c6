#include "core/dist/episode_outcomes.h"

#include "core/dist/collective.h"
#include "core/util/error.h"

#include <torch/torch.h>

namespace maml {

namespace {
/// Slot of one episode: 4 scores, the number of classes and of query items, the classes, then
/// per query item its truth, prediction, class and index. Every value is an integer or a score
/// that a sum with zeros leaves exact.
int64_t slotSize(int ways, int queryItems)
{
    return 6 + ways + 4 * static_cast<int64_t>(queryItems);
}

void encode(const EpisodeOutcome& o, double* slot, int ways, int queryItems)
{
    const int n = static_cast<int>(o.truth.size());
    if (static_cast<int>(o.classes.size()) > ways || n > queryItems)
        throw Error("an episode has more classes or query items than its spec", "distributed evaluation");
    slot[0] = o.accuracy;
    slot[1] = o.loss;
    slot[2] = o.baselineAccuracy;
    slot[3] = o.baselineLoss;
    slot[4] = static_cast<double>(o.classes.size());
    slot[5] = n;
    double* p = slot + 6;
    for (size_t c = 0; c < o.classes.size(); ++c)
        p[c] = o.classes[c];
    p += ways;
    for (int q = 0; q < n; ++q) {
        p[4 * q] = static_cast<double>(o.truth[q]);
        p[4 * q + 1] = static_cast<double>(o.predicted[q]);
        const bool known = q < static_cast<int>(o.queryItems.size());
        p[4 * q + 2] = known ? o.queryItems[q].first : -1;
        p[4 * q + 3] = known ? o.queryItems[q].second : -1;
    }
}

EpisodeOutcome decode(const double* slot, int ways)
{
    EpisodeOutcome o;
    o.accuracy = slot[0];
    o.loss = slot[1];
    o.baselineAccuracy = slot[2];
    o.baselineLoss = slot[3];
    const int classes = static_cast<int>(slot[4]), n = static_cast<int>(slot[5]);
    const double* p = slot + 6;
    for (int c = 0; c < classes; ++c)
        o.classes.push_back(static_cast<int>(p[c]));
    p += ways;
    for (int q = 0; q < n; ++q) {
        o.truth.push_back(static_cast<int64_t>(p[4 * q]));
        o.predicted.push_back(static_cast<int64_t>(p[4 * q + 1]));
        o.queryItems.emplace_back(static_cast<int>(p[4 * q + 2]), static_cast<int>(p[4 * q + 3]));
    }
    return o;
}
} // namespace

void gatherOutcomes(Collective& collective, std::vector<EpisodeOutcome>& outcomes, TaskRange mine, int ways,
                    int queryItems)
{
    const int64_t slot = slotSize(ways, queryItems);
    auto buffer = torch::zeros({static_cast<int64_t>(outcomes.size()) * slot}, torch::kFloat64);
    double* data = buffer.data_ptr<double>();
    for (int i = mine.begin; i < mine.end; ++i)
        encode(outcomes[i], data + i * slot, ways, queryItems);
    collective.allReduceSum(buffer);
    data = buffer.data_ptr<double>();
    for (size_t i = 0; i < outcomes.size(); ++i)
        outcomes[i] = decode(data + i * slot, ways);
}

} // namespace maml
