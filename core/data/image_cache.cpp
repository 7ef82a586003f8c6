#include "core/data/image_cache.h"

namespace maml {

ImageCache::ImageCache(size_t slots, size_t maxBytes) : m_items(slots), m_maxBytes(maxBytes) {}

torch::Tensor ImageCache::get(size_t slot, const std::function<torch::Tensor()>& load) const
{
    {
        std::lock_guard lock(m_mutex);
        if (m_items.at(slot).defined())
            return m_items[slot];
    }
    torch::Tensor t = load();
    const size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
    std::lock_guard lock(m_mutex);
    if (!m_items[slot].defined() && m_bytes + bytes <= m_maxBytes) {
        m_items[slot] = t;
        m_bytes += bytes;
    }
    return t;
}

} // namespace maml
