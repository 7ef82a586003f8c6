#pragma once
/// \file
/// Wraps a dataset to give its images another channel count and/or size.

#include "core/data/dataset.h"

#include <memory>

namespace maml {

/// Every image of `inner` converted to `shape` (1 <-> 3 channels by luminance / repetition,
/// size by area averaging or bilinear interpolation). Names, counts and splits are the inner
/// dataset's.
class ConvertedDataset final : public ImageDataset {
public:
    ConvertedDataset(std::unique_ptr<ImageDataset> inner, ImageShape shape);

    std::string name() const override { return m_inner->name(); }
    std::string location() const override { return m_inner->location(); }
    const std::vector<std::string>& classNames() const override { return m_inner->classNames(); }
    int imageCount(int cls) const override { return m_inner->imageCount(cls); }
    ImageShape shape() const override { return m_shape; }
    torch::Tensor image(int cls, int index) const override;
    std::string imageSource(int cls, int index) const override { return m_inner->imageSource(cls, index); }
    std::map<std::string, std::vector<int>> splits() const override { return m_inner->splits(); }

private:
    std::unique_ptr<ImageDataset> m_inner;
    ImageShape m_shape;
};

/// `dataset` itself if it already has `shape`, else wrapped in a ConvertedDataset.
std::unique_ptr<ImageDataset> convertedTo(std::unique_ptr<ImageDataset> dataset, ImageShape shape);

} // namespace maml
