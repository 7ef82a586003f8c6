#include "core/data/image_folder.h"

#include "core/data/image_io.h"
#include "core/util/error.h"
#include "core/util/utf8.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace maml {
namespace fs = std::filesystem;

namespace {
const char* const kSplitNames[] = {"train", "val", "test"};
const std::string kLayoutHint = "Expected <root>/<class name>/*.png|jpg|jpeg|bmp, one folder per class";
} // namespace

ImageFolderDataset::ImageFolderDataset(const fs::path& dir, int imageSize, int channels)
    : m_dir(dir), m_size(imageSize > 0 ? imageSize : 84), m_channels(channels > 0 ? channels : 3)
{
    if (!fs::is_directory(dir))
        throw Error("image folder not found", dir.string(), kLayoutHint);
    if (hasSplitLayout(dir)) {
        for (const char* split : kSplitNames)
            if (fs::is_directory(dir / split))
                scan(dir / split, split);
    } else {
        scan(dir, "");
    }
    if (m_names.empty())
        throw Error("no class folders with images found", dir.string(), kLayoutHint);
    size_t slots = 0;
    for (const auto& files : m_files) {
        m_firstSlot.push_back(slots);
        slots += files.size();
    }
    m_cache = std::make_unique<ImageCache>(slots);
}

bool ImageFolderDataset::hasSplitLayout(const fs::path& dir)
{
    bool any = false;
    for (const char* split : kSplitNames) {
        if (!fs::is_directory(dir / split))
            continue;
        if (!listImageFiles(dir / split).empty())
            return false; // train/ holds images itself: it is a class called "train"
        any = true;
    }
    return any;
}

void ImageFolderDataset::scan(const fs::path& root, const std::string& split)
{
    for (const fs::path& classDir : listSubfolders(root)) {
        auto files = listImageFiles(classDir);
        bool replaced = false;
        // Class names go into config.json, checkpoints and --json output, which must be UTF-8.
        const std::string name = toValidUtf8(classDir.filename().string(), &replaced);
        if (replaced && !files.empty())
            spdlog::warn("folder dataset: the folder name {} is not valid UTF-8; the class is called \"{}\"",
                         toValidUtf8(classDir.string()), name);
        if (files.empty()) {
            spdlog::warn("folder dataset: skipping {}: no .png/.jpg/.jpeg/.bmp images in it",
                         classDir.string());
            continue;
        }
        if (std::find(m_names.begin(), m_names.end(), name) != m_names.end())
            throw Error("class '" + name +
                            "' appears twice (in more than one split, or two folder names that "
                            "are not UTF-8 read the same)",
                        toValidUtf8(classDir.string()), "Give each class folder a unique UTF-8 name");
        if (!split.empty())
            m_splits[split].push_back(static_cast<int>(m_names.size()));
        m_names.push_back(name);
        m_files.push_back(std::move(files));
    }
}

torch::Tensor ImageFolderDataset::image(int cls, int index) const
{
    const fs::path& file = m_files.at(cls).at(index);
    return m_cache->get(m_firstSlot[cls] + index, [&] { return loadImageFile(file, m_channels, m_size); });
}

std::string ImageFolderDataset::imageSource(int cls, int index) const
{
    return toValidUtf8(m_files.at(cls).at(index).string());
}

std::map<std::string, std::vector<int>> ImageFolderDataset::splits() const
{
    auto s = ImageDataset::splits();
    for (const auto& [k, v] : m_splits)
        s[k] = v;
    return s;
}

} // namespace maml
