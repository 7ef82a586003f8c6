#pragma once
/// \file
/// Episodes from an image dataset (everything openDataset opens): the built-in TaskSource.

#include "core/data/dataset.h"
#include "core/data/episode.h"
#include "core/engine/task_source.h"

#include <memory>

namespace maml {

class ImageTaskSource final : public TaskSource {
public:
    /// Episodes over `classPool` of `dataset` (kept alive by the source).
    ImageTaskSource(std::shared_ptr<const ImageDataset> dataset, std::vector<int> classPool, EpisodeSpec spec,
                    std::string splitName);

    Episode sample(uint64_t seed) const override { return m_sampler.sample(seed); }
    EpisodeSpec spec() const override { return m_sampler.spec(); }
    std::vector<std::string> datasetClassNames() const override { return m_dataset->classNames(); }
    std::vector<int> classPool() const override { return m_sampler.classPool(); }
    std::string itemSource(int cls, int index) const override { return m_dataset->imageSource(cls, index); }
    std::string describe() const override;
    /// Prefetches on a background thread with EpisodePrefetcher (the source must outlive it).
    std::unique_ptr<BatchStream> stream(uint64_t seed, uint64_t firstBatch, int count,
                                        TaskRange tasks) const override;
    using TaskSource::stream;

    const ImageDataset& dataset() const { return *m_dataset; }

private:
    std::shared_ptr<const ImageDataset> m_dataset;
    EpisodeSampler m_sampler;
    std::string m_split;
};

/// Registers the image TaskSourceFactory ("images": every spec openDataset knows). Called by
/// registerBuiltinModules() (core/modules.h).
void registerImageTaskSources();
/// The image dataset of `config` (its spec, image size, channels, rotations), shared through
/// maml::DatasetCache: what every image task source of the config reads. Throws maml::Error when
/// it cannot be opened or gives images of another shape than the config's.
std::shared_ptr<const ImageDataset> openImageDataset(const ExperimentConfig& config);

/// The class pool of `split` for `config`: the explicit class list if the config has one for
/// this split, else the dataset's split of that name.
std::vector<int> classPoolFor(const ImageDataset& dataset, const ExperimentConfig& config,
                              const std::string& split);

} // namespace maml
