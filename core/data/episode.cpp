#include "core/data/episode.h"

#include "core/util/error.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace maml {

namespace {
/// SplitMix64: a tiny, portable generator whose output is fixed by its definition.
struct SplitMix64 {
    uint64_t state;
    uint64_t next()
    {
        uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, n) by rejection, so no modulo bias and no library dependence.
    uint64_t below(uint64_t n)
    {
        const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        uint64_t v;
        do
            v = next();
        while (v >= limit);
        return v % n;
    }
};

/// The first `k` elements of a seeded Fisher-Yates shuffle of `items`.
template <typename T> std::vector<T> choose(std::vector<T> items, size_t k, SplitMix64& rng)
{
    for (size_t i = 0; i < k && i < items.size(); ++i) {
        const size_t j = i + rng.below(items.size() - i);
        std::swap(items[i], items[j]);
    }
    items.resize(std::min(k, items.size()));
    return items;
}

torch::Tensor stackItems(const ImageDataset& ds, const std::vector<std::pair<int, int>>& items)
{
    std::vector<torch::Tensor> xs;
    xs.reserve(items.size());
    for (const auto& [cls, idx] : items)
        xs.push_back(ds.image(cls, idx));
    return torch::stack(xs);
}
} // namespace

uint64_t deriveSeed(uint64_t base, uint64_t index)
{
    SplitMix64 g{base ^ (index * 0xD1B54A32D192ED03ULL)};
    g.next();
    return g.next();
}

EpisodeSampler::EpisodeSampler(const ImageDataset& dataset, std::vector<int> classPool, EpisodeSpec spec)
    : m_dataset(dataset), m_pool(std::move(classPool)), m_spec(spec)
{
    const std::string where = dataset.name() + " at " + dataset.location();
    if (spec.ways < 2)
        throw Error("N-way must be at least 2, got " + std::to_string(spec.ways), where,
                    "Choose 2 or more classes per episode");
    if (spec.shots < 1 || spec.queries < 1)
        throw Error("K-shot and Q-query must be at least 1 (got K=" + std::to_string(spec.shots) +
                        ", Q=" + std::to_string(spec.queries) + ")",
                    where, "Use at least one support and one query image per class");
    if (static_cast<int>(m_pool.size()) < spec.ways)
        throw Error("the class pool has " + std::to_string(m_pool.size()) +
                        " classes but the episode needs " + std::to_string(spec.ways) + " (N-way)",
                    where, "Lower N-way or choose more classes");
    const int need = spec.shots + spec.queries;
    for (int cls : m_pool) {
        if (cls < 0 || cls >= dataset.classCount())
            throw Error("class index " + std::to_string(cls) + " is out of range", where,
                        "The dataset has " + std::to_string(dataset.classCount()) + " classes");
        const int have = dataset.imageCount(cls);
        if (have == 0)
            throw Error(
                "class '" + dataset.classNames()[cls] + "' has 0 images in this copy of the dataset", where,
                "Leave this class out (another split or class list), or use a copy of the dataset that "
                "holds its images");
        if (have < need)
            throw Error("class '" + dataset.classNames()[cls] + "' has " + std::to_string(have) +
                            " images; K + Q = " + std::to_string(need),
                        where, "Lower K-shot or Q-query, or leave this class out");
    }
}

Episode EpisodeSampler::sample(uint64_t seed) const
{
    SplitMix64 rng{seed};
    Episode ep;
    // Choosing the classes in random order is also the per-episode label permutation.
    ep.classes = choose(m_pool, m_spec.ways, rng);
    const int need = m_spec.shots + m_spec.queries;
    std::vector<int64_t> sy, qy;
    for (int label = 0; label < m_spec.ways; ++label) {
        const int cls = ep.classes[label];
        ep.classNames.push_back(m_dataset.classNames()[cls]);
        std::vector<int> idx(m_dataset.imageCount(cls));
        for (size_t i = 0; i < idx.size(); ++i)
            idx[i] = static_cast<int>(i);
        const auto picked = choose(idx, need, rng);
        for (int i = 0; i < need; ++i) {
            auto& items = i < m_spec.shots ? ep.supportItems : ep.queryItems;
            items.emplace_back(cls, picked[i]);
            (i < m_spec.shots ? sy : qy).push_back(label);
        }
    }
    ep.supportX = stackItems(m_dataset, ep.supportItems);
    ep.queryX = stackItems(m_dataset, ep.queryItems);
    ep.supportY = torch::tensor(sy, torch::kInt64);
    ep.queryY = torch::tensor(qy, torch::kInt64);
    return ep;
}

std::vector<Episode> EpisodeSampler::sampleBatch(uint64_t seed, int count) const
{
    std::vector<Episode> batch;
    batch.reserve(count);
    for (int i = 0; i < count; ++i)
        batch.push_back(sample(deriveSeed(seed, i)));
    return batch;
}

std::vector<Episode> EpisodeSampler::sampleRange(uint64_t seed, int begin, int end) const
{
    std::vector<Episode> out;
    out.reserve(std::max(0, end - begin));
    for (int i = begin; i < end; ++i)
        out.push_back(sample(deriveSeed(seed, i)));
    return out;
}

StudyBatch sampleStudyBatch(const EpisodeSampler& sampler, uint64_t seed, int outerBatch, int numTask,
                            int innerBatch)
{
    if (outerBatch < 1 || numTask < 1 || innerBatch < 1)
        throw Error("outer_batch, num_task and inner_batch must all be at least 1", "study batch",
                    "Check the experiment's batch settings");
    std::vector<torch::Tensor> sx, sy, qx, qy;
    const int total = outerBatch * numTask * innerBatch;
    for (int i = 0; i < total; ++i) {
        Episode ep = sampler.sample(deriveSeed(seed, i));
        sx.push_back(ep.supportX);
        sy.push_back(ep.supportY);
        qx.push_back(ep.queryX);
        qy.push_back(ep.queryY);
    }
    auto shaped = [&](std::vector<torch::Tensor>& v) {
        auto t = torch::stack(v);
        std::vector<int64_t> dims{outerBatch, numTask, innerBatch};
        for (int d = 1; d < t.dim(); ++d)
            dims.push_back(t.size(d));
        return t.reshape(dims);
    };
    return {shaped(sx), shaped(sy), shaped(qx), shaped(qy)};
}

struct EpisodePrefetcher::Impl {
    Impl(const EpisodeSampler& sampler, uint64_t seed, int batchSize, uint64_t firstBatch, size_t depth,
         int taskBegin, int taskEnd)
        : sampler(sampler), seed(seed), batchSize(batchSize), nextToProduce(firstBatch), depth(depth),
          taskBegin(taskBegin), taskEnd(taskEnd)
    {
    }

    const EpisodeSampler& sampler;
    uint64_t seed;
    int batchSize;
    uint64_t nextToProduce;
    size_t depth;
    int taskBegin, taskEnd;
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::vector<Episode>> ready;
    std::exception_ptr error;
    bool stop = false;
    double waited = 0;
    std::thread worker;

    void run()
    {
        while (true) {
            {
                std::unique_lock lock(mutex);
                cv.wait(lock, [&] { return stop || ready.size() < depth; });
                if (stop)
                    return;
            }
            std::vector<Episode> batch;
            std::exception_ptr err;
            try {
                batch = sampler.sampleRange(deriveSeed(seed, nextToProduce), taskBegin, taskEnd);
            } catch (...) {
                err = std::current_exception();
            }
            std::lock_guard lock(mutex);
            if (err) {
                error = err;
                cv.notify_all();
                return;
            }
            ready.push_back(std::move(batch));
            ++nextToProduce;
            cv.notify_all();
        }
    }
};

EpisodePrefetcher::EpisodePrefetcher(const EpisodeSampler& sampler, uint64_t seed, int batchSize,
                                     uint64_t firstBatch, int depth, int taskBegin, int taskEnd)
    : m_impl(new Impl{sampler, seed, batchSize, firstBatch, static_cast<size_t>(std::max(1, depth)),
                      taskBegin, taskEnd < 0 ? batchSize : taskEnd})
{
    m_impl->worker = std::thread([this] { m_impl->run(); });
}

EpisodePrefetcher::~EpisodePrefetcher()
{
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->stop = true;
    }
    m_impl->cv.notify_all();
    m_impl->worker.join();
}

std::vector<Episode> EpisodePrefetcher::next()
{
    std::unique_lock lock(m_impl->mutex);
    const auto start = std::chrono::steady_clock::now();
    m_impl->cv.wait(lock, [&] { return !m_impl->ready.empty() || m_impl->error; });
    m_impl->waited += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (m_impl->ready.empty() && m_impl->error)
        std::rethrow_exception(m_impl->error);
    auto batch = std::move(m_impl->ready.front());
    m_impl->ready.pop_front();
    m_impl->cv.notify_all();
    return batch;
}

double EpisodePrefetcher::waitedSeconds() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->waited;
}

} // namespace maml
