#include "core/data/dataset_registry.h"

#include "core/data/cifar100.h"
#include "core/data/converted_dataset.h"
#include "core/data/dataset_locations.h"
#include "core/data/fashion_mnist.h"
#include "core/data/glyphs/glyphs.h"
#include "core/data/image_folder.h"
#include "core/data/omniglot.h"
#include "core/util/error.h"
#include "core/util/xdg_paths.h"

#include <cstdlib>

namespace maml {
namespace fs = std::filesystem;

namespace {
const std::string kSpecs = "glyphs, fashion-mnist[:DIR], cifar100[:DIR], omniglot[:DIR], folder:DIR";

struct Spec {
    std::string name;
    fs::path dir; ///< empty when not given
};

Spec parseSpec(const std::string& spec)
{
    const auto colon = spec.find(':');
    Spec s{spec.substr(0, colon), colon == std::string::npos ? fs::path() : fs::path(spec.substr(colon + 1))};
    if (s.name == "fashion_mnist" || s.name == "fashionmnist")
        s.name = "fashion-mnist";
    if (s.name == "cifar-100")
        s.name = "cifar100";
    if (colon != std::string::npos && s.dir.empty())
        throw Error("the dataset spec '" + spec + "' has an empty folder after ':'", "dataset spec",
                    "Write e.g. folder:/path/to/images");
    return s;
}

fs::path cacheDirOf(const DatasetOptions& options)
{
    return options.cacheDir.empty() ? defaultCacheDir() : options.cacheDir;
}

/// Whether `dir` holds Omniglot (either of its two unzipped folders).
bool holdsOmniglot(const fs::path& dir)
{
    std::error_code ec;
    return fs::is_directory(dir / "images_background", ec) || fs::is_directory(dir / "images_evaluation", ec);
}

/// Whether `dir` holds Fashion-MNIST (its training images file).
bool holdsFashionMnist(const fs::path& dir)
{
    std::error_code ec;
    return fs::is_regular_file(dir / "train-images-idx3-ubyte.gz", ec);
}

/// Where `omniglot` without a folder looks: $MAML_OMNIGLOT_DIR, then <cache>/omniglot, then
/// the folder the user chose once (core/data/dataset_locations.h). Nothing else: the product
/// reads only folders the user names.
std::vector<fs::path> omniglotCandidates(const DatasetOptions& options)
{
    std::vector<fs::path> dirs;
    if (const char* env = std::getenv("MAML_OMNIGLOT_DIR"); env && *env)
        dirs.emplace_back(env);
    dirs.push_back(cacheDirOf(options) / "omniglot");
    if (auto chosen = rememberedLocation("omniglot"))
        dirs.push_back(*chosen);
    return dirs;
}

/// `cifar100` without a folder: the download folder (<cache>/cifar100) when it is complete,
/// else the folder the user chose once if that is, else the download folder (whose error
/// says how to fetch it).
fs::path cifarFolder(const DatasetOptions& options)
{
    const fs::path downloaded = cacheDirOf(options) / "cifar100";
    if (Cifar100Dataset::looksComplete(downloaded))
        return downloaded;
    if (auto chosen = rememberedLocation("cifar100"); chosen && Cifar100Dataset::looksComplete(*chosen))
        return *chosen;
    return downloaded;
}

/// `fashion-mnist` without a folder: Debian's package folder, else the folder chosen once.
fs::path fashionMnistFolder()
{
    const fs::path packaged = FashionMnistDataset::defaultFolder();
    if (holdsFashionMnist(packaged))
        return packaged;
    if (auto chosen = rememberedLocation("fashion-mnist"); chosen && holdsFashionMnist(*chosen))
        return *chosen;
    return packaged;
}

std::optional<fs::path> findOmniglot(const DatasetOptions& options)
{
    for (const auto& d : omniglotCandidates(options))
        if (holdsOmniglot(d))
            return d;
    return std::nullopt;
}

std::unique_ptr<ImageDataset> openGlyphsFor(const DatasetOptions& options)
{
    GlyphsOptions g;
    if (options.imageSize > 0)
        g.imageSize = options.imageSize;
    g.cacheDir = cacheDirOf(options) / "glyphs";
    auto ds = openGlyphs(g);
    if (options.channels > 0) {
        ImageShape shape = ds->shape();
        shape.channels = options.channels;
        return convertedTo(std::move(ds), shape);
    }
    return ds;
}

std::unique_ptr<ImageDataset> openOmniglot(const Spec& s, const DatasetOptions& o)
{
    fs::path dir = s.dir;
    if (dir.empty()) {
        auto found = findOmniglot(o);
        if (!found)
            throw Error("Omniglot was not found", "omniglot",
                        "Unzip images_background.zip (github.com/brendenlake/omniglot) and use omniglot:DIR, "
                        "or set MAML_OMNIGLOT_DIR");
        dir = *found;
    }
    return std::make_unique<OmniglotDataset>(dir, o.imageSize, o.channels, o.rotations);
}
} // namespace

fs::path defaultCacheDir()
{
    return xdgAppDir("XDG_CACHE_HOME", ".cache", "cache");
}

std::unique_ptr<ImageDataset> openDataset(const std::string& spec, const DatasetOptions& options)
{
    const Spec s = parseSpec(spec);
    if (options.channels != 0 && options.channels != 1 && options.channels != 3)
        throw Error("channels must be 1 or 3, got " + std::to_string(options.channels), spec, "");
    if (options.imageSize < 0 || options.imageSize > 1024)
        throw Error("image size must be between 1 and 1024, got " + std::to_string(options.imageSize), spec,
                    "");
    if (s.name == "glyphs")
        return openGlyphsFor(options);
    if (s.name == "fashion-mnist")
        return std::make_unique<FashionMnistDataset>(s.dir.empty() ? fashionMnistFolder() : s.dir,
                                                     options.imageSize, options.channels);
    if (s.name == "cifar100")
        return std::make_unique<Cifar100Dataset>(s.dir.empty() ? cifarFolder(options) : s.dir,
                                                 options.imageSize, options.channels);
    if (s.name == "omniglot")
        return openOmniglot(s, options);
    if (s.name == "folder") {
        if (s.dir.empty())
            throw Error("folder needs a path", spec,
                        "Write folder:/path/to/images (one sub-folder per class)");
        return std::make_unique<ImageFolderDataset>(s.dir, options.imageSize, options.channels);
    }
    throw Error("unknown dataset '" + s.name + "'", spec, "Known datasets: " + kSpecs);
}

std::vector<DatasetInfo> knownDatasets(const DatasetOptions& options)
{
    std::vector<DatasetInfo> out;
    const fs::path cache = cacheDirOf(options);
    out.push_back({"glyphs", "Glyphs: characters drawn from installed fonts (the embedded default)", true,
                   (cache / "glyphs").string(),
                   "Generated on first use from installed fonts (packaging/install-deps.sh, or the "
                   "Debian package's dependencies, install them)"});
    const fs::path fm = fashionMnistFolder();
    out.push_back({"fashion-mnist", "Fashion-MNIST: 10 clothing classes, 28x28 grayscale",
                   holdsFashionMnist(fm), fm.string(),
                   "sudo apt-get install dataset-fashion-mnist (packaging/install-deps.sh)"});
    const fs::path cifar = cifarFolder(options);
    out.push_back(
        {"cifar100", "CIFAR-100: 100 classes of 32x32 colour photos (CIFAR-FS and FC100 splits)",
         Cifar100Dataset::looksComplete(cifar), cifar.string(),
         "maml-cli fetch cifar100 (downloads 161 MiB); a copy elsewhere: Choose folder... on the workbench's "
         "Data page, maml-cli datasets --remember cifar100 DIR, or cifar100:DIR"});
    const auto omni = findOmniglot(options);
    out.push_back({omni ? "omniglot:" + omni->string() : "omniglot:DIR",
                   "Omniglot: handwritten characters of 30 (+20) alphabets, 105x105 -> 28x28",
                   omni.has_value(), omni ? omni->string() : omniglotCandidates(options).front().string(),
                   "Unzip images_background.zip from github.com/brendenlake/omniglot into " +
                       (cache / "omniglot").string() + ", or use omniglot:DIR"});
    out.push_back({"folder:DIR",
                   "Any image folder: DIR/<class>/*.png|jpg|jpeg|bmp, resized (default 84x84 RGB)", false,
                   "DIR", "Point it at your own folder: folder:/path/to/images"});
    return out;
}

void chooseDatasetFolder(const std::string& name, const fs::path& dir)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw Error("no such folder", dir.string(), "Choose a folder that exists");
    if (name == "cifar100") {
        if (!Cifar100Dataset::looksComplete(dir))
            throw Error("this folder holds no CIFAR-100 binary files", dir.string(),
                        "Choose the folder that holds cifar-100-binary/ (train.bin, test.bin, "
                        "fine_label_names.txt, coarse_label_names.txt), or that folder itself");
    } else if (name == "omniglot") {
        if (!holdsOmniglot(dir))
            throw Error("this folder holds neither images_background/ nor images_evaluation/", dir.string(),
                        "Choose the folder where Omniglot's zip files were unzipped");
    } else if (name == "fashion-mnist") {
        if (!holdsFashionMnist(dir))
            throw Error("this folder holds no train-images-idx3-ubyte.gz", dir.string(),
                        "Choose the folder with Fashion-MNIST's four .gz files");
    } else {
        throw Error("only cifar100, omniglot and fashion-mnist have a remembered folder, not '" + name + "'",
                    name, "Give other datasets their folder in the spec, e.g. folder:DIR");
    }
    openDataset(name + ":" + fs::absolute(dir).string()); // a truncated or foreign file says so here
    rememberLocation(name, dir);
}

} // namespace maml
