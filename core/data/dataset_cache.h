#pragma once
/// \file
/// Opened image datasets, shared by everything in the process: the trainer's training and
/// validation sources, the evaluator, the GUI's pages and workers all open a dataset through
/// here, so it is opened (decoded, generated, indexed) once.

#include "core/data/dataset_registry.h"

#include <cstddef>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace maml {

/// Process-wide cache of opened datasets keyed by the spec and the options (image size,
/// channels, rotations, cache folder). Thread-safe; a dataset being opened by one thread is
/// waited for, not opened a second time, by the others.
///
/// Memory is bounded: the cache itself keeps the kCapacity most recently used datasets. An
/// older one stays shared as long as somebody still holds it (it is found again through a weak
/// reference) and is freed with its last holder.
class DatasetCache final {
public:
    static constexpr std::size_t kCapacity = 4;

    static DatasetCache& instance();

    /// The opened (or cached) dataset; throws maml::Error like maml::openDataset. May take
    /// seconds the first time (Glyphs generates on first use): GUIs call it off their main thread.
    std::shared_ptr<const ImageDataset> open(const std::string& spec, const DatasetOptions& options = {});
    /// The dataset if it is open already (cached or still held elsewhere), else nullptr.
    std::shared_ptr<const ImageDataset> cached(const std::string& spec, const DatasetOptions& options = {});

private:
    using Ptr = std::shared_ptr<const ImageDataset>;
    DatasetCache() = default;
    static std::string keyOf(const std::string& spec, const DatasetOptions& options);
    /// The dataset of `key` if alive, moved to the front of the recently used list (lock held).
    Ptr findLocked(const std::string& key);
    void insertLocked(const std::string& key, const Ptr& dataset);

    std::mutex m_mutex;
    std::list<std::pair<std::string, Ptr>> m_recent;                  ///< most recently used first
    std::map<std::string, std::weak_ptr<const ImageDataset>> m_alive; ///< every dataset handed out
    std::map<std::string, std::shared_future<Ptr>> m_opening;         ///< being opened right now
};

/// DatasetCache::instance().open(spec, options).
std::shared_ptr<const ImageDataset> sharedDataset(const std::string& spec,
                                                  const DatasetOptions& options = {});

} // namespace maml
