#include "core/data/fashion_mnist.h"

#include "core/data/image_io.h"
#include "core/util/embedded.h"
#include "core/util/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <cstdio>

namespace maml {
namespace fs = std::filesystem;

namespace {
const std::string kInstallHint = "Install the package dataset-fashion-mnist (packaging/install-deps.sh)";

uint32_t bigEndian(const std::string& bytes, size_t offset)
{
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data()) + offset;
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

std::string hex(uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

void checkHeader(const std::string& bytes, const fs::path& file, uint32_t magic, size_t headerSize)
{
    if (bytes.size() < headerSize)
        throw Error("the file is too short for an IDX header (" + std::to_string(bytes.size()) + " bytes)",
                    file.string(), "The file is truncated; reinstall dataset-fashion-mnist");
    if (bigEndian(bytes, 0) != magic)
        throw Error("wrong magic number " + hex(bigEndian(bytes, 0)) + ", expected " + hex(magic),
                    file.string(),
                    "This is not an IDX " + std::string(magic == 0x803 ? "images" : "labels") + " file");
}

void checkLength(const std::string& bytes, size_t expected, const fs::path& file)
{
    if (bytes.size() < expected)
        throw Error("the file is truncated: " + std::to_string(bytes.size()) +
                        " bytes, the header promises " + std::to_string(expected),
                    file.string(), "Reinstall dataset-fashion-mnist or replace the file");
    if (bytes.size() > expected)
        throw Error("the file has " + std::to_string(bytes.size() - expected) +
                        " bytes more than its header says",
                    file.string(), "The file is damaged; replace it");
}
} // namespace

std::string readGzipFile(const fs::path& file)
{
    if (!fs::is_regular_file(file))
        throw Error("file not found", file.string(), kInstallHint);
    struct archive* a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_raw(a);
    std::string out;
    std::string problem;
    struct archive_entry* entry = nullptr;
    if (archive_read_open_filename(a, file.c_str(), 1 << 16) != ARCHIVE_OK ||
        archive_read_next_header(a, &entry) != ARCHIVE_OK ||
        archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP) {
        problem = "not a gzip file";
    } else {
        char buf[1 << 16];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
            out.append(buf, static_cast<size_t>(n));
        if (n < 0)
            problem = std::string("cannot decompress: ") + archive_error_string(a);
    }
    archive_read_free(a);
    if (!problem.empty())
        throw Error(problem, file.string(), "The file is damaged or truncated; reinstall or replace it");
    return out;
}

fs::path FashionMnistDataset::defaultFolder()
{
    return "/usr/share/datasets/fashion-mnist";
}

FashionMnistDataset::FashionMnistDataset(const fs::path& dir, int imageSize, int channels)
    : m_dir(dir), m_names{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                          "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"},
      m_items(10), m_size(imageSize), m_channels(channels > 0 ? channels : 1)
{
    if (!fs::is_directory(dir))
        throw Error("Fashion-MNIST folder not found", dir.string(), kInstallHint);
    loadPart("train");
    loadPart("t10k");
    if (m_size <= 0)
        m_size = m_rows;
}

void FashionMnistDataset::loadPart(const std::string& prefix)
{
    const fs::path imagesFile = m_dir / (prefix + "-images-idx3-ubyte.gz");
    const fs::path labelsFile = m_dir / (prefix + "-labels-idx1-ubyte.gz");
    std::string images = readGzipFile(imagesFile);
    const std::string labels = readGzipFile(labelsFile);
    checkHeader(images, imagesFile, 0x803, 16);
    checkHeader(labels, labelsFile, 0x801, 8);
    const uint32_t count = bigEndian(images, 4), rows = bigEndian(images, 8), cols = bigEndian(images, 12);
    if (rows == 0 || cols == 0 || rows > 1024 || cols > 1024 ||
        (m_rows && (int(rows) != m_rows || int(cols) != m_cols)))
        throw Error("unexpected image size " + std::to_string(rows) + "x" + std::to_string(cols),
                    imagesFile.string(), "All Fashion-MNIST images are 28x28; replace the file");
    if (bigEndian(labels, 4) != count)
        throw Error("the labels file has " + std::to_string(bigEndian(labels, 4)) +
                        " labels but the images file " + std::to_string(count) + " images",
                    labelsFile.string(),
                    "The two files do not belong together; reinstall dataset-fashion-mnist");
    checkLength(images, 16 + size_t(count) * rows * cols, imagesFile);
    checkLength(labels, 8 + size_t(count), labelsFile);
    m_rows = static_cast<int>(rows);
    m_cols = static_cast<int>(cols);
    const int part = static_cast<int>(m_parts.size());
    for (uint32_t i = 0; i < count; ++i) {
        const uint8_t label = static_cast<uint8_t>(labels[8 + i]);
        if (label >= 10)
            throw Error("label " + std::to_string(label) + " of item " + std::to_string(i) +
                            " is out of range 0-9",
                        labelsFile.string(), "The file is damaged; reinstall dataset-fashion-mnist");
        m_items[label].emplace_back(part, static_cast<int>(i));
    }
    images.erase(0, 16);
    m_parts.push_back({std::move(images), imagesFile.string()});
}

torch::Tensor FashionMnistDataset::image(int cls, int index) const
{
    const auto [part, i] = m_items.at(cls).at(index);
    const size_t pixels = size_t(m_rows) * m_cols;
    const cv::Mat img(m_rows, m_cols, CV_8UC1, const_cast<char*>(m_parts[part].pixels.data() + i * pixels));
    return matToTensor(img, m_channels, m_size);
}

std::string FashionMnistDataset::imageSource(int cls, int index) const
{
    const auto [part, i] = m_items.at(cls).at(index);
    return m_parts[part].file + " image " + std::to_string(i);
}

std::map<std::string, std::vector<int>> FashionMnistDataset::splits() const
{
    auto s = ImageDataset::splits();
    const auto& files = embedded::files();
    auto it = files.find("fashion_mnist.json");
    if (it == files.end())
        return s;
    const auto json = nlohmann::json::parse(it->second);
    for (const char* part : {"train", "val", "test"})
        if (json.contains(part))
            for (const auto& n : json.at(part))
                s[part].push_back(classIndex(n.get<std::string>()));
    return s;
}

} // namespace maml
