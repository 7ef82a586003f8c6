#include "core/data/cifar100.h"
#include "core/data/downloader.h"
#include "core/util/embedded.h"
#include "core/util/error.h"
#include "core/util/md5.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <random>

namespace maml {
namespace fs = std::filesystem;

namespace {
const nlohmann::json& cifarDefinition()
{
    static const nlohmann::json json = nlohmann::json::parse(embedded::files().at("cifar100.json"));
    return json;
}

fs::path freshTempDir(const fs::path& dir)
{
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return dir / (".cifar-100-extract" + std::to_string(rng() % 1000000));
}

bool validCopy(const fs::path& dir)
{
    if (!Cifar100Dataset::looksComplete(dir))
        return false;
    try {
        Cifar100Dataset ds(dir);
        return true;
    } catch (const Error& e) {
        spdlog::warn("the CIFAR-100 copy in {} is damaged ({}); downloading it again", dir.string(),
                     e.what());
        return false;
    }
}

/// Moves tmp/cifar-100-binary to dir/cifar-100-binary once it opens as a dataset.
fs::path install(const fs::path& tmp, const fs::path& dir)
{
    const fs::path extracted = tmp / "cifar-100-binary";
    if (!fs::is_directory(extracted))
        throw Error("the archive has no cifar-100-binary folder", tmp.string(),
                    "This is not the CIFAR-100 binary version; check the URL");
    Cifar100Dataset check(extracted); // throws if anything is wrong
    const fs::path target = dir / "cifar-100-binary";
    fs::remove_all(target);
    fs::rename(extracted, target);
    return target;
}
} // namespace

std::string cifar100Url()
{
    return cifarDefinition().at("url").get<std::string>();
}

std::string cifar100Md5()
{
    return cifarDefinition().at("md5").get<std::string>();
}

fs::path fetchCifar100(const fs::path& dir, const std::string& url, DownloadOptions options,
                       bool* alreadyPresent)
{
    if (alreadyPresent)
        *alreadyPresent = false;
    if (validCopy(dir)) {
        if (alreadyPresent)
            *alreadyPresent = true;
        return Cifar100Dataset::binaryFolder(dir);
    }
    if (options.expectedMd5.empty())
        options.expectedMd5 = cifar100Md5();
    const fs::path archive = dir / "cifar-100-binary.tar.gz";
    std::error_code ec;
    if (!fs::exists(archive) || Md5::ofFile(archive) != options.expectedMd5)
        downloadFile(url.empty() ? cifar100Url() : url, archive, options);
    else
        spdlog::info("using the verified archive already in {}", archive.string());
    const fs::path tmp = freshTempDir(dir);
    try {
        extractArchive(archive, tmp, options.cancel);
        const fs::path target = install(tmp, dir);
        fs::remove_all(tmp, ec);
        fs::remove(archive, ec);
        return target;
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
}

} // namespace maml
