#include "core/data/converted_dataset.h"

#include <torch/torch.h>

namespace maml {

ConvertedDataset::ConvertedDataset(std::unique_ptr<ImageDataset> inner, ImageShape shape)
    : m_inner(std::move(inner)), m_shape(shape)
{
}

torch::Tensor ConvertedDataset::image(int cls, int index) const
{
    torch::Tensor t = m_inner->image(cls, index);
    if (t.size(0) != m_shape.channels) {
        if (m_shape.channels == 3)
            t = t.repeat({3, 1, 1});
        else
            t = (t[0] * 0.299 + t[1] * 0.587 + t[2] * 0.114).unsqueeze(0);
    }
    if (t.size(1) != m_shape.height || t.size(2) != m_shape.width) {
        namespace F = torch::nn::functional;
        const bool shrink = t.size(1) > m_shape.height;
        auto opts = F::InterpolateFuncOptions().size(std::vector<int64_t>{m_shape.height, m_shape.width});
        opts = shrink ? opts.mode(torch::kArea) : opts.mode(torch::kBilinear).align_corners(false);
        t = F::interpolate(t.unsqueeze(0), opts).squeeze(0).clamp(0, 1);
    }
    return t.contiguous();
}

std::unique_ptr<ImageDataset> convertedTo(std::unique_ptr<ImageDataset> dataset, ImageShape shape)
{
    if (dataset->shape() == shape)
        return dataset;
    return std::make_unique<ConvertedDataset>(std::move(dataset), shape);
}

} // namespace maml
