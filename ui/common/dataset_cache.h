#pragma once
// Opens datasets by spec once and shares them between pages and workers.

#include <QImage>
#include <QString>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace maml {
class ImageDataset;
}

namespace maml::ui {

/// Process-wide cache of opened datasets keyed by (spec, image size, channels, rotations).
/// open() may take seconds (Glyphs generates on first use): call it from a worker thread
/// where the GUI must stay responsive. Thread-safe.
class DatasetCache final {
public:
    static DatasetCache& instance();

    /// Opens (or returns the cached) dataset; throws maml::Error like maml::openDataset.
    std::shared_ptr<const ImageDataset> open(const std::string& spec, int imageSize = 0, int channels = 0,
                                             bool rotations = false);
    /// The cached dataset or nullptr when it has not been opened yet.
    std::shared_ptr<const ImageDataset> cached(const std::string& spec, int imageSize = 0, int channels = 0,
                                               bool rotations = false) const;

private:
    DatasetCache() = default;
    static std::string key(const std::string& spec, int imageSize, int channels, bool rotations);

    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<const ImageDataset>> m_datasets;
};

/// Image (cls, index) of `dataset` as a QImage (grayscale or RGB), decoded on the calling thread.
QImage datasetImage(const ImageDataset& dataset, int cls, int index);

} // namespace maml::ui
