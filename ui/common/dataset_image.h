#pragma once
// One image of a dataset as a QImage (no torch in this header).

#include <QImage>

namespace maml {
class ImageDataset;
}

namespace maml::ui {

/// Image (cls, index) of `dataset` as a QImage (grayscale or RGB), decoded on the calling
/// thread: call it from a worker when it is more than a few images.
QImage datasetImage(const ImageDataset& dataset, int cls, int index);

} // namespace maml::ui
