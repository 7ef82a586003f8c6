#include "core/engine/capped_dataset.h"

#include <algorithm>

namespace maml {

CappedDataset::CappedDataset(std::shared_ptr<const ImageDataset> inner, int cap)
    : m_inner(std::move(inner)), m_cap(cap)
{
}

int CappedDataset::imageCount(int cls) const
{
    return std::min(m_cap, m_inner->imageCount(cls));
}

} // namespace maml
