#pragma once
/// \file
/// MD5 (RFC 1321), to verify downloads against published checksums. Not for security.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace maml {

/// Incremental MD5: feed bytes with update(), read the digest with hexDigest().
class Md5 {
public:
    Md5();
    /// Adds `size` bytes to the digest.
    void update(const void* data, size_t size);
    /// The digest as 32 lower-case hex digits. Finishes the computation; call once.
    std::string hexDigest();

    /// MD5 of a string.
    static std::string of(const std::string& bytes);
    /// MD5 of a file, read in blocks; throws maml::Error naming the file if it cannot be read.
    static std::string ofFile(const std::filesystem::path& path);

private:
    void transform(const uint8_t block[64]);

    uint32_t m_state[4];
    uint64_t m_length = 0; ///< bytes seen so far
    uint8_t m_buffer[64];
    size_t m_buffered = 0;
};

} // namespace maml
