#pragma once
/// \file
/// A view of an image dataset that keeps only the first `cap` images of every class
/// (the study's "10,000 training images").

#include "core/data/dataset.h"

#include <memory>

namespace maml {

class CappedDataset final : public ImageDataset {
public:
    CappedDataset(std::shared_ptr<const ImageDataset> inner, int cap);

    std::string name() const override { return m_inner->name(); }
    std::string location() const override { return m_inner->location(); }
    const std::vector<std::string>& classNames() const override { return m_inner->classNames(); }
    int imageCount(int cls) const override;
    ImageShape shape() const override { return m_inner->shape(); }
    torch::Tensor image(int cls, int index) const override { return m_inner->image(cls, index); }
    std::string imageSource(int cls, int index) const override { return m_inner->imageSource(cls, index); }
    std::map<std::string, std::vector<int>> splits() const override { return m_inner->splits(); }

private:
    std::shared_ptr<const ImageDataset> m_inner;
    int m_cap;
};

} // namespace maml
