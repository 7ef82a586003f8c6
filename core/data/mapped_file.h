#pragma once
/// \file
/// A read-only memory map of a whole file (thread-safe to read from many threads).

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace maml {

/// Maps `path` read-only, exactly its size; throws maml::Error naming the file if it cannot be
/// opened or has holes (ranges never written, which a full disk can leave). Readers check the
/// size against their format before they read, so a short file is never read past its end.
class MappedFile {
public:
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return m_data; }
    size_t size() const { return m_size; }
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
    const uint8_t* m_data = nullptr;
    size_t m_size = 0;
};

} // namespace maml
