#pragma once
/// \file
/// The one interface every image dataset implements.

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace maml {

/// Shape of one image tensor: [channels, height, width].
struct ImageShape {
    int channels = 1;
    int height = 28;
    int width = 28;
    bool operator==(const ImageShape& o) const
    {
        return channels == o.channels && height == o.height && width == o.width;
    }
};

/// A labelled collection of images grouped by class. Class indices are 0..classCount()-1.
/// Implementations decode lazily (or from a cache) and are safe to read from several
/// threads at once (the prefetcher does).
class ImageDataset {
public:
    virtual ~ImageDataset() = default;

    /// The name used everywhere: "glyphs", "fashion-mnist", "cifar100", "omniglot", "folder".
    virtual std::string name() const = 0;
    /// Where the data lives (a folder or file), for messages and `maml-cli datasets`.
    virtual std::string location() const = 0;

    virtual const std::vector<std::string>& classNames() const = 0;
    int classCount() const { return static_cast<int>(classNames().size()); }
    /// Number of images of class `cls`.
    virtual int imageCount(int cls) const = 0;
    /// Total number of images.
    int totalImages() const;
    /// Shape of every image this dataset returns (after any resize).
    virtual ImageShape shape() const = 0;

    /// Image `index` of class `cls` as float32 [C,H,W] with values in [0,1].
    /// Throws maml::Error naming the file/record if it cannot be decoded.
    virtual torch::Tensor image(int cls, int index) const = 0;
    /// Where image (cls, index) comes from, e.g. "/data/a/char01/0101_01.png" or "train.bin record 17".
    virtual std::string imageSource(int cls, int index) const = 0;

    /// Named class splits, e.g. {"train": [...], "val": [...], "test": [...]}. Each value holds
    /// class indices. Always contains "all" (every class).
    virtual std::map<std::string, std::vector<int>> splits() const;

    /// Class indices of split `split`; throws maml::Error listing the known splits if unknown.
    std::vector<int> splitClasses(const std::string& split) const;
    /// Class index of `className`; throws maml::Error (with close names) if unknown.
    int classIndex(const std::string& className) const;
};

} // namespace maml
