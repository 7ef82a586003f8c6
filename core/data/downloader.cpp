#include "core/data/downloader.h"

#include "core/util/error.h"
#include "core/util/md5.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <unistd.h>

namespace maml {
namespace fs = std::filesystem;

namespace {
/// State shared with curl's callbacks.
struct Transfer {
    FILE* file = nullptr;
    Md5 md5;
    int64_t received = 0;
    int writeErrno = 0;
    const DownloadOptions* options = nullptr;
    std::chrono::steady_clock::time_point lastReport;
};

size_t onData(char* data, size_t size, size_t count, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    const size_t bytes = size * count;
    if (std::fwrite(data, 1, bytes, t->file) != bytes) {
        t->writeErrno = errno ? errno : EIO;
        return 0;
    }
    t->md5.update(data, bytes);
    t->received += static_cast<int64_t>(bytes);
    return bytes;
}

int onProgress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t)
{
    auto* t = static_cast<Transfer*>(user);
    if (t->options->cancel && t->options->cancel->load())
        return 1;
    const auto clock = std::chrono::steady_clock::now();
    if (t->options->progress && clock - t->lastReport > std::chrono::milliseconds(100)) {
        t->lastReport = clock;
        t->options->progress(now, total > 0 ? total : -1);
    }
    return 0;
}

fs::path partialName(const fs::path& dest)
{
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return dest.parent_path() / ("." + dest.filename().string() + ".part" + std::to_string(rng() % 1000000));
}

CURL* makeHandle(const std::string& url, Transfer& t, char* errorBuffer)
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    CURL* curl = curl_easy_init();
    if (!curl)
        throw Error("cannot start a download (libcurl failed to initialise)", url, "");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "maml-workbench/0.1");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onData);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, t.options->connectTimeoutSeconds);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, t.options->stallTimeoutSeconds);
    return curl;
}

/// The error for a failed transfer, in the project's "what, where, what to do" form.
Error transferError(CURLcode code, CURL* curl, const std::string& url, const Transfer& t, const char* detail)
{
    const std::string msg = detail[0] ? detail : curl_easy_strerror(code);
    long http = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
    curl_off_t total = -1;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total);
    if (code == CURLE_WRITE_ERROR && t.writeErrno)
        return Error(std::string("cannot write the download: ") + std::strerror(t.writeErrno), url,
                     t.writeErrno == ENOSPC ? "The disk is full: free some space and try again"
                                            : "Check the folder's permissions and free space");
    if (code == CURLE_HTTP_RETURNED_ERROR)
        return Error("the server answered HTTP " + std::to_string(http), url,
                     "Check the URL, or try again later");
    if (code == CURLE_PARTIAL_FILE || (total > 0 && t.received < total))
        return Error("the connection was cut after " + std::to_string(t.received) + " of " +
                         (total > 0 ? std::to_string(total) : std::string("?")) + " bytes (" + msg + ")",
                     url, "Nothing was kept; try again");
    return Error("the download failed: " + msg, url,
                 "Check the network connection and the URL, then try again");
}

void finishFile(Transfer& t, const fs::path& tmp)
{
    int err = 0;
    if (std::fflush(t.file) != 0 || ::fsync(fileno(t.file)) != 0)
        err = errno;
    if (std::fclose(t.file) != 0 && !err)
        err = errno;
    t.file = nullptr;
    if (err)
        throw Error(std::string("cannot write the download: ") + std::strerror(err), tmp.string(),
                    err == ENOSPC ? "The disk is full: free some space and try again" : "Check the disk");
}

void runTransfer(const std::string& url, const fs::path& tmp, Transfer& t)
{
    char errorBuffer[CURL_ERROR_SIZE] = {0};
    std::unique_ptr<CURL, void (*)(CURL*)> curl(makeHandle(url, t, errorBuffer), curl_easy_cleanup);
    const CURLcode code = curl_easy_perform(curl.get());
    if (code == CURLE_ABORTED_BY_CALLBACK)
        throw Cancelled();
    if (code != CURLE_OK)
        throw transferError(code, curl.get(), url, t, errorBuffer);
    finishFile(t, tmp); // throws on a full disk
}
} // namespace

void downloadFile(const std::string& url, const fs::path& dest, const DownloadOptions& options)
{
    std::error_code ec;
    if (!dest.parent_path().empty())
        fs::create_directories(dest.parent_path(), ec);
    const fs::path tmp = partialName(dest);
    Transfer t;
    t.options = &options;
    t.file = std::fopen(tmp.c_str(), "wb");
    if (!t.file)
        throw Error(std::string("cannot create the download file: ") + std::strerror(errno), tmp.string(),
                    "Check that the folder is writable");
    try {
        spdlog::info("downloading {} -> {}", url, dest.string());
        runTransfer(url, tmp, t);
    } catch (...) {
        if (t.file)
            std::fclose(t.file);
        fs::remove(tmp, ec);
        throw;
    }
    const std::string md5 = t.md5.hexDigest();
    if (!options.expectedMd5.empty() && md5 != options.expectedMd5) {
        fs::remove(tmp, ec);
        throw Error("checksum mismatch: the " + std::to_string(t.received) + " bytes downloaded have MD5 " +
                        md5 + ", expected " + options.expectedMd5,
                    url, "The file is damaged or has changed on the server; nothing was kept. Try again");
    }
    if (options.progress)
        options.progress(t.received, t.received);
    fs::rename(tmp, dest, ec);
    if (ec) {
        const std::string why = ec.message();
        fs::remove(tmp, ec);
        throw Error("cannot move the download into place: " + why, dest.string(), "Check permissions");
    }
    spdlog::info("downloaded {} bytes, MD5 {}", t.received, md5);
}

} // namespace maml
