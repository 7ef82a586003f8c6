#include "core/engine/image_task_source.h"

#include "core/data/dataset_cache.h"
#include "core/engine/capped_dataset.h"
#include "core/util/error.h"

namespace maml {

namespace {
class PrefetchStream final : public BatchStream {
public:
    PrefetchStream(const EpisodeSampler& sampler, uint64_t seed, uint64_t first, int count, TaskRange tasks)
        : m_prefetcher(sampler, seed, count, first, /*depth=*/4, tasks.begin, tasks.end)
    {
    }
    std::vector<Episode> next() override { return m_prefetcher.next(); }

private:
    EpisodePrefetcher m_prefetcher;
};

} // namespace

std::shared_ptr<const ImageDataset> openImageDataset(const ExperimentConfig& config)
{
    DatasetOptions o;
    o.imageSize = config.imageSize;
    o.channels = config.channels;
    o.rotations = config.rotations;
    // Through the process-wide cache: the training and validation sources of a run (and the
    // GUI's pages) share one opened dataset.
    std::shared_ptr<const ImageDataset> ds = sharedDataset(config.dataset, o);
    const ImageShape want{config.channels, config.imageSize, config.imageSize};
    if (!(ds->shape() == want))
        throw Error("the dataset gives images of " + std::to_string(ds->shape().channels) + "x" +
                        std::to_string(ds->shape().height) + "x" + std::to_string(ds->shape().width) +
                        " but the model takes " + std::to_string(want.channels) + "x" +
                        std::to_string(want.height) + "x" + std::to_string(want.width),
                    config.dataset, "Use a dataset with the model's channels");
    return ds;
}

namespace {
std::shared_ptr<TaskSource> makeImageSource(const ExperimentConfig& config, const std::string& split)
{
    auto ds = openImageDataset(config);
    auto pool = classPoolFor(*ds, config, split);
    if (split == config.trainSplit && config.trainImages > 0 && !pool.empty()) {
        const int cap = std::max<int>(1, config.trainImages / static_cast<int>(pool.size()));
        ds = std::make_shared<CappedDataset>(ds, cap);
    }
    return std::make_shared<ImageTaskSource>(ds, pool, config.episodeSpec(), split);
}

std::string imageSplitProblem(const ExperimentConfig& config, const std::string& split)
{
    openImageDataset(config); // data that cannot be opened is no split's problem: it throws
    try {
        makeImageSource(config, split); // cheap now: the dataset is cached, the sampler only checks
        return {};
    } catch (const Error& e) {
        return e.problem();
    }
}
} // namespace

void registerImageTaskSources()
{
    TaskSourceFactory images;
    images.name = "images";
    images.accepts = [](const std::string&) { return true; };
    images.make = makeImageSource;
    images.splitProblem = imageSplitProblem;
    registerTaskSourceFactory(std::move(images));
}

ImageTaskSource::ImageTaskSource(std::shared_ptr<const ImageDataset> dataset, std::vector<int> classPool,
                                 EpisodeSpec spec, std::string splitName)
    : m_dataset(std::move(dataset)), m_sampler(*m_dataset, std::move(classPool), spec),
      m_split(std::move(splitName))
{
}

std::string ImageTaskSource::describe() const
{
    const auto s = spec();
    return m_dataset->name() + " " + m_split + " split: " + std::to_string(m_sampler.classPool().size()) +
           " classes, " + std::to_string(s.ways) + "-way " + std::to_string(s.shots) + "-shot " +
           std::to_string(s.queries) + "-query";
}

std::unique_ptr<BatchStream> ImageTaskSource::stream(uint64_t seed, uint64_t firstBatch, int count,
                                                     TaskRange tasks) const
{
    return std::make_unique<PrefetchStream>(m_sampler, seed, firstBatch, count, tasks);
}

std::vector<int> classPoolFor(const ImageDataset& dataset, const ExperimentConfig& config,
                              const std::string& split)
{
    const auto& names = config.explicitClasses(split);
    if (names.empty())
        return dataset.splitClasses(split);
    std::vector<int> pool;
    for (const auto& n : names)
        pool.push_back(dataset.classIndex(n));
    return pool;
}

} // namespace maml
