#include "core/data/cifar100.h"

#include "core/data/cifar_splits.h"
#include "core/data/image_io.h"
#include "core/util/error.h"
#include "core/util/json_limits.h"
#include "core/util/utf8.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <sstream>

namespace maml {
namespace fs = std::filesystem;

namespace {
constexpr int kFineClasses = 100;
constexpr int kCoarseClasses = 20;
constexpr int kSide = 32;
const char* const kFiles[2] = {"train.bin", "test.bin"};
const std::string kFetchHint =
    "Run `maml-cli fetch cifar100` (or `maml-cli fetch cifar100 --dir DIR`) to download it";

std::vector<std::string> readLabelNames(const fs::path& file, int expected)
{
    if (!fs::is_regular_file(file))
        throw Error("label names file not found", file.string(), kFetchHint);
    std::istringstream in(readFileCapped(file, 1 << 20, "label names file"));
    std::vector<std::string> names;
    for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.pop_back();
        if (!line.empty())
            names.push_back(line);
        if (!isValidUtf8(line))
            throw Error("line " + std::to_string(names.size()) + " is not valid UTF-8 text", file.string(),
                        "The file is damaged or not from CIFAR-100; download it again");
    }
    if (static_cast<int>(names.size()) != expected)
        throw Error("found " + std::to_string(names.size()) + " label names, expected " +
                        std::to_string(expected),
                    file.string(), "The file is damaged or not from CIFAR-100; download it again");
    return names;
}
} // namespace

fs::path Cifar100Dataset::binaryFolder(const fs::path& dir)
{
    if (fs::exists(dir / "train.bin"))
        return dir;
    return dir / "cifar-100-binary";
}

bool Cifar100Dataset::looksComplete(const fs::path& dir)
{
    const fs::path d = binaryFolder(dir);
    for (const char* f : {"train.bin", "test.bin", "fine_label_names.txt", "coarse_label_names.txt"})
        if (!fs::is_regular_file(d / f))
            return false;
    return true;
}

Cifar100Dataset::Cifar100Dataset(const fs::path& dir, int imageSize, int channels)
    : m_dir(binaryFolder(dir)), m_coarseOf(kFineClasses, -1), m_records(kFineClasses),
      m_size(imageSize > 0 ? imageSize : kSide), m_channels(channels > 0 ? channels : 3)
{
    if (!fs::is_directory(dir))
        throw Error("CIFAR-100 folder not found", dir.string(), kFetchHint);
    m_names = readLabelNames(m_dir / "fine_label_names.txt", kFineClasses);
    m_coarseNames = readLabelNames(m_dir / "coarse_label_names.txt", kCoarseClasses);
    for (int f = 0; f < 2; ++f) {
        if (!fs::is_regular_file(m_dir / kFiles[f]))
            throw Error(std::string(kFiles[f]) + " not found", (m_dir / kFiles[f]).string(), kFetchHint);
        m_files[f] = std::make_unique<MappedFile>(m_dir / kFiles[f]);
        indexFile(f);
    }
}

void Cifar100Dataset::indexFile(int f)
{
    const MappedFile& file = *m_files[f];
    const std::string where = file.path().string();
    if (file.size() == 0 || file.size() % kRecordSize != 0)
        throw Error("the file has " + std::to_string(file.size()) +
                        " bytes, not a positive multiple of the " + std::to_string(kRecordSize) +
                        "-byte record size (the last record is truncated)",
                    where, "The file is incomplete: " + kFetchHint + " again");
    const size_t count = file.size() / kRecordSize;
    for (size_t r = 0; r < count; ++r) {
        const uint8_t coarse = file.data()[r * kRecordSize];
        const uint8_t fine = file.data()[r * kRecordSize + 1];
        if (fine >= kFineClasses || coarse >= kCoarseClasses)
            throw Error("record " + std::to_string(r) + " has labels coarse=" + std::to_string(coarse) +
                            ", fine=" + std::to_string(fine) + " (out of range 0-19, 0-99)",
                        where, "The file is damaged or not CIFAR-100 binary; download it again");
        if (m_coarseOf[fine] >= 0 && m_coarseOf[fine] != coarse)
            throw Error("record " + std::to_string(r) + " puts fine class '" + m_names[fine] +
                            "' in superclass " + std::to_string(coarse) + ", earlier records in " +
                            std::to_string(m_coarseOf[fine]),
                        where, "The file is damaged or not CIFAR-100 binary; download it again");
        m_coarseOf[fine] = coarse;
        m_records[fine].push_back({static_cast<uint8_t>(f), static_cast<uint32_t>(r)});
    }
}

int Cifar100Dataset::imageCount(int cls) const
{
    return static_cast<int>(m_records.at(cls).size());
}

const Cifar100Dataset::RecordRef& Cifar100Dataset::ref(int cls, int index) const
{
    if (cls < 0 || cls >= kFineClasses || index < 0 || index >= imageCount(cls))
        throw Error("image (" + std::to_string(cls) + ", " + std::to_string(index) + ") is out of range",
                    location(), "");
    return m_records[cls][index];
}

torch::Tensor Cifar100Dataset::image(int cls, int index) const
{
    const RecordRef& r = ref(cls, index);
    const uint8_t* pixels = m_files[r.file]->data() + size_t(r.record) * kRecordSize + 2;
    // Planar R, G, B -> an interleaved BGR image for OpenCV.
    cv::Mat planes[3];
    for (int p = 0; p < 3; ++p)
        planes[2 - p] = cv::Mat(kSide, kSide, CV_8UC1, const_cast<uint8_t*>(pixels + p * kSide * kSide));
    cv::Mat bgr;
    cv::merge(planes, 3, bgr);
    return matToTensor(bgr, m_channels, m_size);
}

std::string Cifar100Dataset::imageSource(int cls, int index) const
{
    const RecordRef& r = ref(cls, index);
    return (m_dir / kFiles[r.file]).string() + " record " + std::to_string(r.record);
}

std::map<std::string, std::vector<int>> Cifar100Dataset::splits() const
{
    auto s = cifarSplits(m_names, m_coarseNames, m_coarseOf);
    s["all"] = ImageDataset::splits().at("all");
    return s;
}

} // namespace maml
