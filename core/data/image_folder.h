#pragma once
/// \file
/// Any folder of images grouped by class: <root>/<class>/*.png|jpg|jpeg|bmp.

#include "core/data/dataset.h"
#include "core/data/image_cache.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace maml {

/// One class per sub-folder (named after it) holding at least one image; other files are
/// ignored. Images are resized to imageSize x imageSize (default 84) with `channels` (default
/// 3), decoded on first use and cached. If the root holds train/, val/ and/or test/ folders of
/// class folders (miniImageNet's layout), those are the splits; otherwise there is only "all".
class ImageFolderDataset final : public ImageDataset {
public:
    /// Throws maml::Error if `dir` is missing or holds no class folder with images.
    explicit ImageFolderDataset(const std::filesystem::path& dir, int imageSize = 0, int channels = 0);

    std::string name() const override { return "folder"; }
    std::string location() const override { return m_dir.string(); }
    const std::vector<std::string>& classNames() const override { return m_names; }
    int imageCount(int cls) const override { return static_cast<int>(m_files.at(cls).size()); }
    ImageShape shape() const override { return {m_channels, m_size, m_size}; }
    /// Throws maml::Error naming the file if it does not decode.
    torch::Tensor image(int cls, int index) const override;
    std::string imageSource(int cls, int index) const override;
    std::map<std::string, std::vector<int>> splits() const override;

private:
    static bool hasSplitLayout(const std::filesystem::path& dir);
    void scan(const std::filesystem::path& root, const std::string& split);

    std::filesystem::path m_dir;
    std::vector<std::string> m_names;
    std::vector<std::vector<std::filesystem::path>> m_files;
    std::vector<size_t> m_firstSlot;
    std::map<std::string, std::vector<int>> m_splits;
    std::unique_ptr<ImageCache> m_cache;
    int m_size;
    int m_channels;
};

} // namespace maml
