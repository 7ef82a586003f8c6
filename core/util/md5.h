#pragma once
/// \file
/// MD5, to verify downloads against published checksums (not for security), computed by
/// OpenSSL's EVP digest interface (libcrypto).

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

namespace maml {

/// Incremental MD5: feed bytes with update(), read the digest with hexDigest().
class Md5 {
public:
    Md5();
    ~Md5();
    Md5(const Md5&) = delete;
    Md5& operator=(const Md5&) = delete;

    /// Adds `size` bytes to the digest.
    void update(const void* data, size_t size);
    /// The digest as 32 lower-case hex digits. Finishes the computation; call once.
    std::string hexDigest();

    /// MD5 of a string.
    static std::string of(const std::string& bytes);
    /// MD5 of a file, read in blocks; throws maml::Error naming the file if it cannot be read.
    static std::string ofFile(const std::filesystem::path& path);

private:
    struct Context;
    std::unique_ptr<Context> m_context;
};

} // namespace maml
