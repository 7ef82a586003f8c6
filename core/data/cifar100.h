#pragma once
/// \file
/// CIFAR-100 from the official binary archive's folder (cifar-100-binary/).

#include "core/data/dataset.h"
#include "core/data/mapped_file.h"

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace maml {

/// The 100 fine classes of CIFAR-100 with all their images (train.bin + test.bin records).
/// The files are memory-mapped; a record is decoded only when its image is asked for.
/// Splits: "train"/"val"/"test" (CIFAR-FS, 64/16/20 classes), "fc100-train"/"fc100-val"/
/// "fc100-test" (FC100, by superclass, 60/20/20 classes) and "all".
class Cifar100Dataset final : public ImageDataset {
public:
    /// Bytes per record: coarse label, fine label, 3 x 32 x 32 pixels.
    static constexpr size_t kRecordSize = 3074;

    /// `dir` is the cifar-100-binary folder or the folder holding it. `imageSize` 0 = 32,
    /// `channels` 0 = 3. Throws maml::Error on missing files, a size that is not a multiple of
    /// 3074 bytes (truncated), labels out of range or a wrong number of label names.
    Cifar100Dataset(const std::filesystem::path& dir, int imageSize = 0, int channels = 0);

    /// `dir` itself if it holds train.bin, else dir/cifar-100-binary.
    static std::filesystem::path binaryFolder(const std::filesystem::path& dir);
    /// Whether the four files of the binary version are in binaryFolder(dir).
    static bool looksComplete(const std::filesystem::path& dir);

    std::string name() const override { return "cifar100"; }
    std::string location() const override { return m_dir.string(); }
    const std::vector<std::string>& classNames() const override { return m_names; }
    int imageCount(int cls) const override;
    ImageShape shape() const override { return {m_channels, m_size, m_size}; }
    torch::Tensor image(int cls, int index) const override;
    std::string imageSource(int cls, int index) const override;
    std::map<std::string, std::vector<int>> splits() const override;

    /// Superclass (coarse label) of each fine class; -1 if the class has no records.
    const std::vector<int>& coarseOf() const { return m_coarseOf; }
    const std::vector<std::string>& coarseNames() const { return m_coarseNames; }

private:
    struct RecordRef {
        uint8_t file;    ///< 0 = train.bin, 1 = test.bin
        uint32_t record; ///< record index within that file
    };
    void indexFile(int fileIndex);
    const RecordRef& ref(int cls, int index) const;

    std::filesystem::path m_dir;
    std::array<std::unique_ptr<MappedFile>, 2> m_files;
    std::vector<std::string> m_names;
    std::vector<std::string> m_coarseNames;
    std::vector<int> m_coarseOf;
    std::vector<std::vector<RecordRef>> m_records;
    int m_size;
    int m_channels;
};

} // namespace maml
