#pragma once
/// \file
/// Omniglot in the official folder layout: <root>/<Alphabet>/characterNN/*.png.

#include "core/data/dataset.h"
#include "core/data/image_cache.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace maml {

/// One class per character, named "Alphabet/characterNN". With `rotations`, every character
/// also gives the classes "Alphabet/characterNN/rot90", ".../rot180" and ".../rot270" (its
/// images turned counter-clockwise; Finn et al. 2017). Images are decoded on first use and
/// cached. Splits by alphabet: see omniglot_splits.h and datasets/omniglot.json.
class OmniglotDataset final : public ImageDataset {
public:
    /// `dir` is images_background (or images_evaluation, or any folder in that layout), or a
    /// parent holding images_background and/or images_evaluation. `imageSize` 0 = 28,
    /// `channels` 0 = 1. Throws maml::Error if the folder is missing or holds no characters.
    OmniglotDataset(const std::filesystem::path& dir, int imageSize = 0, int channels = 0,
                    bool rotations = false);

    std::string name() const override { return "omniglot"; }
    std::string location() const override { return m_dir.string(); }
    const std::vector<std::string>& classNames() const override { return m_names; }
    int imageCount(int cls) const override;
    ImageShape shape() const override { return {m_channels, m_size, m_size}; }
    torch::Tensor image(int cls, int index) const override;
    std::string imageSource(int cls, int index) const override;
    std::map<std::string, std::vector<int>> splits() const override;

private:
    struct Character {
        std::string name;  ///< "Alphabet/characterNN"
        std::string split; ///< "train", "val" or "test"
        std::vector<std::filesystem::path> files;
        size_t firstSlot; ///< cache slot of files[0]
    };
    void scanSet(const std::filesystem::path& root, bool evaluationSet, bool evaluationPresent);
    void addCharacter(const std::filesystem::path& folder, const std::string& alphabet,
                      const std::string& split);
    void buildClasses(bool rotations);

    std::filesystem::path m_dir;
    std::vector<Character> m_chars;
    std::vector<std::string> m_names;
    std::vector<int> m_charOf;  ///< class -> character
    std::vector<int> m_turnsOf; ///< class -> quarter turns (0-3)
    std::unique_ptr<ImageCache> m_cache;
    size_t m_fileCount = 0;
    int m_size;
    int m_channels;
};

} // namespace maml
