#include "ui/common/dataset_cache.h"

#include "core/data/dataset_registry.h"
#include "ui/common/tensor_image.h"

namespace maml::ui {

DatasetCache& DatasetCache::instance()
{
    static DatasetCache cache;
    return cache;
}

std::string DatasetCache::key(const std::string& spec, int imageSize, int channels, bool rotations)
{
    return spec + "|" + std::to_string(imageSize) + "|" + std::to_string(channels) + "|" +
           (rotations ? "r" : "-");
}

std::shared_ptr<const ImageDataset> DatasetCache::cached(const std::string& spec, int imageSize, int channels,
                                                         bool rotations) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_datasets.find(key(spec, imageSize, channels, rotations));
    return it == m_datasets.end() ? nullptr : it->second;
}

std::shared_ptr<const ImageDataset> DatasetCache::open(const std::string& spec, int imageSize, int channels,
                                                       bool rotations)
{
    if (auto ds = cached(spec, imageSize, channels, rotations))
        return ds;
    DatasetOptions options;
    options.imageSize = imageSize;
    options.channels = channels;
    options.rotations = rotations;
    // Opened outside the lock: generation can take seconds and must not block other specs.
    std::shared_ptr<const ImageDataset> ds = openDataset(spec, options);
    std::lock_guard lock(m_mutex);
    auto [it, inserted] = m_datasets.emplace(key(spec, imageSize, channels, rotations), ds);
    return it->second;
}

QImage datasetImage(const ImageDataset& dataset, int cls, int index)
{
    return tensorToImage(dataset.image(cls, index));
}

} // namespace maml::ui
