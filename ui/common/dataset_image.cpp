#include "ui/common/dataset_image.h"

#include "core/data/dataset.h"
#include "ui/common/tensor_image.h"

namespace maml::ui {

QImage datasetImage(const ImageDataset& dataset, int cls, int index)
{
    return tensorToImage(dataset.image(cls, index));
}

} // namespace maml::ui
