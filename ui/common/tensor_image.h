#pragma once
// Tensor <-> QImage conversion. Include only from .cpp files: it pulls in torch.

#include <torch/types.h>

#include <QImage>

namespace maml::ui {

/// A float [C,H,W] (or [H,W]) tensor with values in [0,1] as an 8-bit grayscale or RGB image.
QImage tensorToImage(const torch::Tensor& image);

} // namespace maml::ui
