#include "core/data/image_io.h"

#include "core/util/error.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <fstream>

namespace maml {
namespace fs = std::filesystem;

namespace {
cv::Mat toChannels(const cv::Mat& image, int channels)
{
    cv::Mat out;
    const int have = image.channels();
    if (channels == 1) {
        if (have == 1)
            return image;
        cv::cvtColor(image, out, have == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
    } else {
        if (have == 1)
            cv::cvtColor(image, out, cv::COLOR_GRAY2RGB);
        else
            cv::cvtColor(image, out, have == 4 ? cv::COLOR_BGRA2RGB : cv::COLOR_BGR2RGB);
    }
    return out;
}

/// A JPEG (starts with FF D8) whose last bytes hold no end-of-image marker FF D9: cut short.
/// Entropy-coded data never contains FF D9 (a data byte FF is written FF 00), so the marker
/// within the last few KB (after any trailing padding) is a reliable sign of a complete file.
bool endsBeforeItsEnd(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    char head[2] = {};
    if (!in.read(head, 2) || static_cast<unsigned char>(head[0]) != 0xFF ||
        static_cast<unsigned char>(head[1]) != 0xD8)
        return false;
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    const std::streamoff tail = std::min<std::streamoff>(size, 4096);
    std::string bytes(static_cast<size_t>(tail), '\0');
    in.seekg(size - tail);
    if (!in.read(bytes.data(), tail))
        return false;
    return bytes.find("\xFF\xD9") == std::string::npos;
}

cv::Mat resized(const cv::Mat& image, int size)
{
    if (size <= 0 || (image.rows == size && image.cols == size))
        return image;
    const bool shrink = image.rows > size || image.cols > size;
    cv::Mat out;
    cv::resize(image, out, cv::Size(size, size), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
    return out;
}
} // namespace

torch::Tensor matToTensor(const cv::Mat& image, int channels, int size)
{
    if (image.empty() || image.depth() != CV_8U)
        throw Error("not an 8-bit image", "matToTensor", "Convert the image to 8 bits per channel");
    if (channels != 1 && channels != 3)
        throw Error("channels must be 1 or 3, got " + std::to_string(channels), "matToTensor", "");
    cv::Mat img = resized(toChannels(image, channels), size);
    if (!img.isContinuous())
        img = img.clone();
    auto t = torch::from_blob(img.data, {img.rows, img.cols, channels}, torch::kUInt8);
    return t.permute({2, 0, 1}).to(torch::kFloat32).div_(255.0).contiguous();
}

torch::Tensor loadImageFile(const fs::path& file, int channels, int size)
{
    if (!fs::is_regular_file(file))
        throw Error("image file not found", file.string(), "Check the path");
    if (endsBeforeItsEnd(file))
        throw Error("the JPEG file is truncated (it ends before its end-of-image marker)", file.string(),
                    "Replace or delete this file; a decoder would fill the missing part with grey");
    cv::Mat img;
    try {
        img = cv::imread(file.string(), channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        // OpenCV refuses images above CV_IO_MAX_IMAGE_PIXELS (2^30) with an exception.
        throw Error("the image cannot be decoded: it is larger than OpenCV accepts or damaged (" + e.err +
                        ")",
                    file.string(), "Resize, replace or delete this file");
    }
    if (img.empty())
        throw Error("the image does not decode (corrupt or not an image)", file.string(),
                    "Replace or delete this file");
    return matToTensor(img, channels, size);
}

cv::Mat tensorToMat(const torch::Tensor& image)
{
    if (image.dim() != 3 || (image.size(0) != 1 && image.size(0) != 3))
        throw Error("expected an image tensor [C,H,W] with C = 1 or 3", "tensorToMat", "");
    auto bytes = image.detach()
                     .to(torch::kCPU, torch::kFloat32)
                     .clamp(0, 1)
                     .mul(255)
                     .round()
                     .to(torch::kUInt8)
                     .permute({1, 2, 0})
                     .contiguous();
    const int rows = static_cast<int>(bytes.size(0)), cols = static_cast<int>(bytes.size(1));
    const int channels = static_cast<int>(bytes.size(2));
    cv::Mat view(rows, cols, channels == 1 ? CV_8UC1 : CV_8UC3, bytes.data_ptr<uint8_t>());
    cv::Mat out;
    cv::cvtColor(view, out, channels == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_RGB2BGR);
    return out;
}

bool isImageFile(const fs::path& file)
{
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

std::vector<fs::path> listImageFiles(const fs::path& dir)
{
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_regular_file() && isImageFile(entry.path()) &&
            entry.path().filename().string()[0] != '.')
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<fs::path> listSubfolders(const fs::path& dir)
{
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_directory() && entry.path().filename().string()[0] != '.')
            dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end());
    return dirs;
}

} // namespace maml
