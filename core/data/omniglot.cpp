#include "core/data/omniglot.h"

#include "core/data/image_io.h"
#include "core/data/omniglot_splits.h"
#include "core/util/error.h"
#include "core/util/utf8.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

namespace maml {
namespace fs = std::filesystem;

namespace {
const std::string kLayoutHint =
    "Expected <root>/<Alphabet>/characterNN/*.png: unzip images_background.zip from "
    "https://github.com/brendenlake/omniglot (python/) and pass that folder";
} // namespace

OmniglotDataset::OmniglotDataset(const fs::path& dir, int imageSize, int channels, bool rotations)
    : m_dir(dir), m_size(imageSize > 0 ? imageSize : 28), m_channels(channels > 0 ? channels : 1)
{
    if (!fs::is_directory(dir))
        throw Error("Omniglot folder not found", dir.string(), kLayoutHint);
    const fs::path background = dir / "images_background", evaluation = dir / "images_evaluation";
    const bool parent = fs::is_directory(background) || fs::is_directory(evaluation);
    if (parent) {
        const bool evalPresent = fs::is_directory(evaluation);
        if (fs::is_directory(background))
            scanSet(background, false, evalPresent);
        if (evalPresent)
            scanSet(evaluation, true, true);
    } else {
        scanSet(dir, (dir / "").parent_path().filename() == "images_evaluation", false);
    }
    if (m_chars.empty())
        throw Error("no character folders with images found", dir.string(), kLayoutHint);
    buildClasses(rotations);
    m_cache = std::make_unique<ImageCache>(m_fileCount);
}

void OmniglotDataset::scanSet(const fs::path& root, bool evaluationSet, bool evaluationPresent)
{
    for (const fs::path& alphabetDir : listSubfolders(root)) {
        const std::string alphabet = alphabetDir.filename().string();
        const std::string split = omniglotSplitOf(alphabet, evaluationSet, evaluationPresent);
        for (const fs::path& charDir : listSubfolders(alphabetDir))
            addCharacter(charDir, alphabet, split);
    }
}

void OmniglotDataset::addCharacter(const fs::path& folder, const std::string& alphabet,
                                   const std::string& split)
{
    auto files = listImageFiles(folder);
    if (files.empty()) {
        spdlog::warn("omniglot: skipping {}: no images in it", folder.string());
        return;
    }
    const size_t first = m_fileCount;
    m_fileCount += files.size();
    // Class names go into config.json, checkpoints and --json output, which must be UTF-8.
    m_chars.push_back(
        {toValidUtf8(alphabet + "/" + folder.filename().string()), split, std::move(files), first});
}

void OmniglotDataset::buildClasses(bool rotations)
{
    const int turns = rotations ? 4 : 1;
    for (int c = 0; c < static_cast<int>(m_chars.size()); ++c)
        for (int t = 0; t < turns; ++t) {
            m_names.push_back(t == 0 ? m_chars[c].name : m_chars[c].name + "/rot" + std::to_string(90 * t));
            m_charOf.push_back(c);
            m_turnsOf.push_back(t);
        }
}

int OmniglotDataset::imageCount(int cls) const
{
    return static_cast<int>(m_chars[m_charOf.at(cls)].files.size());
}

torch::Tensor OmniglotDataset::image(int cls, int index) const
{
    const Character& ch = m_chars[m_charOf.at(cls)];
    const fs::path& file = ch.files.at(index);
    torch::Tensor t =
        m_cache->get(ch.firstSlot + index, [&] { return loadImageFile(file, m_channels, m_size); });
    const int turns = m_turnsOf[cls];
    return turns == 0 ? t : torch::rot90(t, turns, {1, 2}).contiguous();
}

std::string OmniglotDataset::imageSource(int cls, int index) const
{
    const int turns = m_turnsOf.at(cls);
    const std::string file = toValidUtf8(m_chars[m_charOf[cls]].files.at(index).string());
    return turns == 0 ? file : file + " rotated " + std::to_string(90 * turns);
}

std::map<std::string, std::vector<int>> OmniglotDataset::splits() const
{
    auto s = ImageDataset::splits();
    for (int cls = 0; cls < classCount(); ++cls)
        s[m_chars[m_charOf[cls]].split].push_back(cls);
    return s;
}

} // namespace maml
