#include "core/data/dataset_cache.h"

namespace maml {

DatasetCache& DatasetCache::instance()
{
    static DatasetCache cache;
    return cache;
}

std::string DatasetCache::keyOf(const std::string& spec, const DatasetOptions& options)
{
    return spec + "|" + std::to_string(options.imageSize) + "|" + std::to_string(options.channels) + "|" +
           (options.rotations ? "r" : "-") + "|" + options.cacheDir.string();
}

DatasetCache::Ptr DatasetCache::findLocked(const std::string& key)
{
    for (auto it = m_recent.begin(); it != m_recent.end(); ++it)
        if (it->first == key) {
            m_recent.splice(m_recent.begin(), m_recent, it);
            return it->second;
        }
    auto alive = m_alive.find(key);
    if (alive == m_alive.end())
        return nullptr;
    Ptr dataset = alive->second.lock();
    if (!dataset)
        m_alive.erase(alive);
    else
        insertLocked(key, dataset); // in use again: recently used
    return dataset;
}

void DatasetCache::insertLocked(const std::string& key, const Ptr& dataset)
{
    m_recent.emplace_front(key, dataset);
    m_alive[key] = dataset;
    while (m_recent.size() > kCapacity)
        m_recent.pop_back();
    for (auto it = m_alive.begin(); it != m_alive.end();)
        it = it->second.expired() ? m_alive.erase(it) : std::next(it);
}

DatasetCache::Ptr DatasetCache::cached(const std::string& spec, const DatasetOptions& options)
{
    std::lock_guard lock(m_mutex);
    return findLocked(keyOf(spec, options));
}

DatasetCache::Ptr DatasetCache::open(const std::string& spec, const DatasetOptions& options)
{
    const std::string key = keyOf(spec, options);
    std::promise<Ptr> promise;
    {
        std::unique_lock lock(m_mutex);
        if (Ptr dataset = findLocked(key))
            return dataset;
        if (auto it = m_opening.find(key); it != m_opening.end()) {
            auto pending = it->second;
            lock.unlock();
            return pending.get(); // the other opener's dataset, or its maml::Error
        }
        m_opening[key] = promise.get_future().share();
    }
    // Opened outside the lock: generation can take seconds and must not block other specs.
    try {
        Ptr dataset = openDataset(spec, options);
        std::lock_guard lock(m_mutex);
        insertLocked(key, dataset);
        m_opening.erase(key);
        promise.set_value(dataset);
        return dataset;
    } catch (...) {
        std::lock_guard lock(m_mutex);
        m_opening.erase(key);
        promise.set_exception(std::current_exception());
        throw;
    }
}

std::shared_ptr<const ImageDataset> sharedDataset(const std::string& spec, const DatasetOptions& options)
{
    return DatasetCache::instance().open(spec, options);
}

} // namespace maml
