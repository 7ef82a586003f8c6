#pragma once
/// \file
/// Downloading and unpacking datasets: libcurl with progress and cancel, MD5 verification,
/// libarchive extraction. Nothing half-written is ever left under a final name.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace maml {

struct DownloadOptions {
    /// Expected MD5 (32 hex digits). Empty skips the check (only for sources without one).
    std::string expectedMd5;
    /// Called with (bytes received, total bytes or -1 if unknown), at most ~10 times a second
    /// and once at the end. Runs on the downloading thread.
    std::function<void(int64_t received, int64_t total)> progress;
    /// When set and it becomes true, the download stops and maml::Cancelled is thrown.
    const std::atomic<bool>* cancel = nullptr;
    long connectTimeoutSeconds = 30;
    /// Give up when less than 1 byte/s arrives for this long (a stalled connection).
    long stallTimeoutSeconds = 60;
};

/// Downloads `url` (http, https or file) to `dest`. The bytes go to a temporary file beside
/// `dest`, which is renamed to `dest` only after the download completed and its MD5 matched.
/// On any failure (HTTP error, connection cut, checksum mismatch, full disk) the temporary is
/// removed and maml::Error says what happened; on cancel maml::Cancelled is thrown.
void downloadFile(const std::string& url, const std::filesystem::path& dest,
                  const DownloadOptions& options = {});

/// Extracts every entry of `archive` (tar, tar.gz, zip, ...) into the new folder `destDir`,
/// which must not exist yet. Rejects absolute paths and "..". On failure `destDir` is removed.
void extractArchive(const std::filesystem::path& archive, const std::filesystem::path& destDir,
                    const std::atomic<bool>* cancel = nullptr);

/// Where the official CIFAR-100 binary archive is and its MD5 (datasets/cifar100.json).
std::string cifar100Url();
std::string cifar100Md5();

/// Downloads the CIFAR-100 binary archive from `url` (empty: cifar100Url(); options.expectedMd5
/// empty: cifar100Md5()) into `dir`, verifies it, extracts it to a temporary folder, checks that
/// the dataset opens, and only then moves it to dir/cifar-100-binary; the archive is deleted.
/// Returns the dataset folder. Does nothing (returns at once) if a valid copy is already there.
/// `alreadyPresent`, when given, says which of the two happened.
std::filesystem::path fetchCifar100(const std::filesystem::path& dir, const std::string& url = {},
                                    DownloadOptions options = {}, bool* alreadyPresent = nullptr);

} // namespace maml
