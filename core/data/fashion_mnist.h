#pragma once
/// \file
/// Fashion-MNIST from gzipped IDX files (Debian's dataset-fashion-mnist package).

#include "core/data/dataset.h"

#include <filesystem>
#include <string>
#include <vector>

namespace maml {

/// The 10 Fashion-MNIST classes, train and test images merged per class (7,000 each in the
/// full set), 28x28 grayscale. The four files are decompressed once when opened; images are
/// converted to tensors on demand. Splits: "all", and "train"/"test" of 5 classes each
/// (datasets/fashion_mnist.json).
class FashionMnistDataset final : public ImageDataset {
public:
    /// Where Debian's package puts the files.
    static std::filesystem::path defaultFolder();
    /// Reads `dir`/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz. Throws maml::Error naming
    /// the file on a missing file, a wrong magic number, inconsistent counts or truncation.
    explicit FashionMnistDataset(const std::filesystem::path& dir, int imageSize = 0, int channels = 0);

    std::string name() const override { return "fashion-mnist"; }
    std::string location() const override { return m_dir.string(); }
    const std::vector<std::string>& classNames() const override { return m_names; }
    int imageCount(int cls) const override { return static_cast<int>(m_items.at(cls).size()); }
    ImageShape shape() const override { return {m_channels, m_size, m_size}; }
    torch::Tensor image(int cls, int index) const override;
    std::string imageSource(int cls, int index) const override;
    std::map<std::string, std::vector<int>> splits() const override;

private:
    struct Part {
        std::string pixels; ///< count x rows x cols bytes
        std::string file;   ///< the images file, for messages
    };
    void loadPart(const std::string& prefix);

    std::filesystem::path m_dir;
    std::vector<std::string> m_names;
    std::vector<Part> m_parts;
    std::vector<std::vector<std::pair<int, int>>> m_items; ///< per class: (part, index)
    int m_rows = 0;
    int m_cols = 0;
    int m_size;
    int m_channels;
};

/// Decompresses a whole .gz file (libarchive). Throws maml::Error naming the file if it is
/// missing, not gzip, or truncated.
std::string readGzipFile(const std::filesystem::path& file);

} // namespace maml
