#pragma once
/// \file
/// Image decoding shared by the dataset readers, the adapter and the episode grid:
/// OpenCV images <-> float tensors [C,H,W] in [0,1] (RGB channel order).

#include <opencv2/core.hpp>
#include <torch/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace maml {

/// Converts an 8-bit image (1, 3 or 4 channels, OpenCV's BGR order) to float32 [channels,size,size]
/// in [0,1], RGB order. Downscaling uses area averaging, upscaling bilinear interpolation.
/// `size` <= 0 keeps the image's size; `channels` is 1 (grayscale) or 3 (RGB).
torch::Tensor matToTensor(const cv::Mat& image, int channels, int size);

/// Decodes an image file (PNG, JPEG, BMP, ...) with OpenCV and converts it with matToTensor.
/// Throws maml::Error naming the file if it is missing or does not decode.
torch::Tensor loadImageFile(const std::filesystem::path& file, int channels, int size);

/// The opposite of matToTensor: float [C,H,W] (C = 1 or 3, values clamped to [0,1]) to an
/// 8-bit BGR image of the same size.
cv::Mat tensorToMat(const torch::Tensor& image);

/// Whether `file` has an image extension this project reads: .png .jpg .jpeg .bmp (any case).
bool isImageFile(const std::filesystem::path& file);

/// The image files directly inside `dir`, sorted by name (so indices are stable).
std::vector<std::filesystem::path> listImageFiles(const std::filesystem::path& dir);

/// The sub-folders directly inside `dir`, sorted by name; hidden ones (".x") are skipped.
std::vector<std::filesystem::path> listSubfolders(const std::filesystem::path& dir);

} // namespace maml
