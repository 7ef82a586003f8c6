#include "core/engine/task_source.h"

#include "core/engine/model_factory.h"
#include "core/util/error.h"

#include <mutex>

namespace maml {

namespace {
std::mutex& factoriesMutex()
{
    static std::mutex m;
    return m;
}

std::vector<TaskSourceFactory>& factories()
{
    static std::vector<TaskSourceFactory> f;
    return f;
}

/// Samples each batch on the caller's thread.
class DirectStream final : public BatchStream {
public:
    DirectStream(const TaskSource& source, uint64_t seed, uint64_t first, int count)
        : m_source(source), m_seed(seed), m_next(first), m_count(count)
    {
    }
    std::vector<Episode> next() override { return m_source.batch(m_seed, m_next++, m_count); }

private:
    const TaskSource& m_source;
    uint64_t m_seed;
    uint64_t m_next;
    int m_count;
};
} // namespace

std::vector<Episode> TaskSource::batch(uint64_t seed, uint64_t index, int count) const
{
    const uint64_t batchSeed = deriveSeed(seed, index);
    std::vector<Episode> out;
    out.reserve(count);
    for (int j = 0; j < count; ++j)
        out.push_back(sample(deriveSeed(batchSeed, j)));
    return out;
}

std::unique_ptr<BatchStream> TaskSource::stream(uint64_t seed, uint64_t firstBatch, int count) const
{
    return std::make_unique<DirectStream>(*this, seed, firstBatch, count);
}

void registerTaskSourceFactory(TaskSourceFactory factory)
{
    std::lock_guard lock(factoriesMutex());
    factories().insert(factories().begin(), std::move(factory));
}

std::string dataKindOf(const std::string& spec)
{
    registerEngineExtensions();
    std::vector<TaskSourceFactory> list;
    {
        std::lock_guard lock(factoriesMutex());
        list = factories();
    }
    for (int pass = 0; pass < 2; ++pass) // as makeTaskSource: the catch-all "images" last
        for (const auto& f : list)
            if ((f.name == "images") == (pass == 1) && f.accepts(spec))
                return f.name;
    return {};
}

void checkSameDataKind(const ExperimentConfig& config, const std::string& spec, const std::string& where)
{
    const std::string trained = dataKindOf(config.dataset), wanted = dataKindOf(spec);
    if (trained == wanted)
        return;
    throw Error("the kinds of data differ: this is a model of " + trained + " (" + config.model +
                    ", trained on " + config.dataset + ") and " + spec + " is " + wanted + " data",
                where,
                "Use " + trained + " data with this checkpoint (or a checkpoint trained on " + wanted +
                    " data)");
}

std::shared_ptr<TaskSource> makeTaskSource(const ExperimentConfig& config, const std::string& split)
{
    registerEngineExtensions();
    std::vector<TaskSourceFactory> list;
    {
        std::lock_guard lock(factoriesMutex());
        list = factories();
    }
    // The built-in image factory ("images") accepts every spec, so it is tried last.
    for (int pass = 0; pass < 2; ++pass)
        for (const auto& f : list)
            if ((f.name == "images") == (pass == 1) && f.accepts(config.dataset))
                return f.make(config, split);
    throw Error("no data source accepts the dataset spec '" + config.dataset + "'", "config dataset",
                "Run `maml-cli datasets` to see the known datasets");
}

} // namespace maml
