#include "core/engine/task_source.h"

#include "core/util/error.h"
#include "core/util/registry.h"

namespace maml {

namespace {
Registry<TaskSourceFactory>& factories()
{
    static Registry<TaskSourceFactory> r;
    return r;
}

/// Samples each batch on the caller's thread.
class DirectStream final : public BatchStream {
public:
    DirectStream(const TaskSource& source, uint64_t seed, uint64_t first, TaskRange tasks)
        : m_source(source), m_seed(seed), m_next(first), m_tasks(tasks)
    {
    }
    std::vector<Episode> next() override
    {
        const uint64_t batchSeed = deriveSeed(m_seed, m_next++);
        std::vector<Episode> out;
        out.reserve(std::max(0, m_tasks.size()));
        for (int j = m_tasks.begin; j < m_tasks.end; ++j)
            out.push_back(m_source.sample(deriveSeed(batchSeed, j)));
        return out;
    }

private:
    const TaskSource& m_source;
    uint64_t m_seed;
    uint64_t m_next;
    TaskRange m_tasks;
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

std::unique_ptr<BatchStream> TaskSource::stream(uint64_t seed, uint64_t firstBatch, int count,
                                                TaskRange tasks) const
{
    return std::make_unique<DirectStream>(*this, seed, firstBatch, tasks);
}

void registerTaskSourceFactory(TaskSourceFactory factory)
{
    const std::string name = factory.name;
    factories().add(name, std::move(factory));
}

namespace {
/// The factory that accepts `spec`. The built-in image factory ("images") accepts every spec,
/// so it is tried last.
TaskSourceFactory factoryFor(const std::string& spec)
{
    const auto list = factories().entries();
    if (list.empty())
        throw Error("no data source is registered", "makeTaskSource",
                    "The program must call maml::registerBuiltinModules() at start-up (core/modules.h)");
    // Later registrations first; the built-in image factory ("images") accepts every spec, so
    // it is tried last.
    for (int pass = 0; pass < 2; ++pass)
        for (auto it = list.rbegin(); it != list.rend(); ++it)
            if ((it->second.name == "images") == (pass == 1) && it->second.accepts(spec))
                return it->second;
    throw Error("no data source accepts the dataset spec '" + spec + "'", "config dataset",
                "Run `maml-cli datasets` to see the known datasets");
}
} // namespace

std::string dataKindName(DataKind kind)
{
    return kind == DataKind::Text ? "text" : "images";
}

void checkSameDataKind(const ExperimentConfig& config, const std::string& spec, const std::string& where)
{
    const std::string trained = dataKindName(dataKindOf(config.dataset)),
                      wanted = dataKindName(dataKindOf(spec));
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
    return factoryFor(config.dataset).make(config, split);
}

DataKind dataKindOf(const std::string& spec)
{
    return factoryFor(spec).kind;
}

std::string splitProblem(const ExperimentConfig& config, const std::string& split)
{
    const auto factory = factoryFor(config.dataset);
    if (factory.splitProblem)
        return factory.splitProblem(config, split);
    try {
        factory.make(config, split);
        return {};
    } catch (const Error& e) {
        return e.problem();
    }
}

} // namespace maml
