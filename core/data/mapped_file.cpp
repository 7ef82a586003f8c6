#include "core/data/mapped_file.h"

#include "core/util/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace maml {

MappedFile::MappedFile(const std::filesystem::path& path) : m_path(path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(std::string("cannot open the file: ") + std::strerror(errno), path.string(),
                    "Check that it exists and is readable");
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        throw Error("cannot read the file's size", path.string(), "Check the disk");
    }
    m_size = static_cast<size_t>(st.st_size);
    // A hole is a range never written (a copy or an extraction that failed half-way on a full
    // disk leaves the file at full length with holes). Reading a hole through the map makes the
    // kernel allocate a page, and on a full tmpfs that is SIGBUS: refuse such files up front.
    const off_t hole = m_size > 0 ? ::lseek(fd, 0, SEEK_HOLE) : 0;
    if (hole >= 0 && static_cast<size_t>(hole) < m_size) {
        ::close(fd);
        throw Error("the file has unwritten parts (a hole at byte " + std::to_string(hole) + " of " +
                        std::to_string(m_size) +
                        "), as a copy or extraction that failed on a full disk leaves",
                    path.string(), "Delete it and download or extract it again, with enough free space");
    }
    if (m_size > 0) {
        void* p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            ::close(fd);
            throw Error(std::string("cannot map the file: ") + std::strerror(errno), path.string(),
                        "Check free memory and the disk");
        }
        m_data = static_cast<const uint8_t*>(p);
    }
    ::close(fd);
}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(const_cast<uint8_t*>(m_data), m_size);
}

} // namespace maml
