#pragma once
/// \file
/// Opening datasets by the names used everywhere (CLI, GUI, configs):
/// `glyphs`, `fashion-mnist`, `cifar100[:DIR]`, `omniglot:DIR`, `folder:DIR`.

#include "core/data/dataset.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace maml {

struct DatasetOptions {
    /// Images are resized to imageSize x imageSize; 0 means the dataset's default
    /// (glyphs 28, omniglot 28, fashion-mnist 28, cifar100 32, folder 84).
    int imageSize = 0;
    /// 1 (grayscale) or 3 (RGB); 0 means the dataset's default.
    int channels = 0;
    /// Omniglot: add the 90/180/270-degree rotations of every character as extra classes
    /// (Finn et al. 2017).
    bool rotations = false;
    /// Where generated or downloaded data is cached; empty means defaultCacheDir().
    std::filesystem::path cacheDir;
};

/// $XDG_CACHE_HOME/maml-workbench (or ~/.cache/maml-workbench).
std::filesystem::path defaultCacheDir();

/// Opens a dataset by its spec. Throws maml::Error with what is missing and how to get it
/// (e.g. "run `maml-cli fetch cifar100`") when the files are not there or are corrupt.
std::unique_ptr<ImageDataset> openDataset(const std::string& spec, const DatasetOptions& options = {});

/// What `maml-cli datasets` and the GUI's dataset picker show.
struct DatasetInfo {
    std::string spec;        ///< e.g. "cifar100" or "omniglot:DIR"
    std::string description; ///< one line
    bool available = false;  ///< whether openDataset(spec) would find its files now
    std::string location;    ///< where the files are, or are expected
    std::string howToGet;    ///< what to do when not available
};
std::vector<DatasetInfo> knownDatasets(const DatasetOptions& options = {});

/// Checks that `dir` holds the dataset `name` ("cifar100", "omniglot" or "fashion-mnist") by
/// opening it, then remembers the folder (core/data/dataset_locations.h), so that `name`
/// without a folder finds it from now on, in the workbench and the CLI. Throws maml::Error
/// saying what is wrong with the folder (nothing is remembered then).
void chooseDatasetFolder(const std::string& name, const std::filesystem::path& dir);

} // namespace maml
