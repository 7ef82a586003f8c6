#pragma once
/// \file
/// A thread-safe cache of decoded images with a memory budget, shared by the file readers.

#include <torch/types.h>

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace maml {

/// One slot per image. get() decodes on first use (outside the lock, so threads decode in
/// parallel) and keeps the result while the budget allows. Returned tensors are shared:
/// treat them as read-only.
class ImageCache {
public:
    explicit ImageCache(size_t slots, size_t maxBytes = size_t(768) << 20);

    torch::Tensor get(size_t slot, const std::function<torch::Tensor()>& load) const;

private:
    mutable std::mutex m_mutex;
    mutable std::vector<torch::Tensor> m_items;
    mutable size_t m_bytes = 0;
    size_t m_maxBytes;
};

} // namespace maml
