#include "core/util/run_lock.h"

#include "core/util/error.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

namespace maml {
namespace fs = std::filesystem;

namespace {
std::string hostName()
{
    char buf[256] = {};
    return ::gethostname(buf, sizeof buf - 1) == 0 ? std::string(buf) : std::string("?");
}

std::string programName()
{
    std::ifstream in("/proc/self/comm");
    std::string name;
    std::getline(in, name);
    return name.empty() ? std::string("?") : name;
}

std::string now()
{
    const std::time_t t = std::time(nullptr);
    char buf[64] = {};
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
    return buf;
}

/// "process 123 (maml-cli train) on host x since ...", from the lock file's key=value lines.
std::string describeHolder(const fs::path& file)
{
    std::ifstream in(file);
    std::string line, pid, host, program, purpose, since;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq == std::string::npos)
            continue;
        const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "pid")
            pid = value;
        else if (key == "host")
            host = value;
        else if (key == "program")
            program = value;
        else if (key == "purpose")
            purpose = value;
        else if (key == "since")
            since = value;
    }
    if (pid.empty())
        return "another process (it has not written its PID yet)";
    std::string s = "process " + pid;
    if (!program.empty())
        s += " (" + program + (purpose.empty() ? "" : " " + purpose) + ")";
    if (!host.empty() && host != hostName())
        s += " on host " + host;
    if (!since.empty())
        s += ", since " + since;
    return s;
}
} // namespace

RunLock::RunLock(const fs::path& dir, const std::string& purpose)
{
    const fs::path file = fileOf(dir);
    m_fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0)
        throw Error(std::string("cannot create the run folder's lock file: ") + std::strerror(errno),
                    file.string(), "Check that the folder exists and is writable");
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(m_fd);
        m_fd = -1;
        if (err != EWOULDBLOCK)
            throw Error(std::string("cannot lock the run folder: ") + std::strerror(err), file.string(),
                        "Check the file system (it must support flock)");
        throw Error("this run folder is in use by " + describeHolder(file), dir.string(),
                    "A run folder takes one trainer at a time: wait for that process to finish, or stop it, "
                    "then try again");
    }
    std::ostringstream info;
    info << "pid=" << ::getpid() << "\nhost=" << hostName() << "\nprogram=" << programName()
         << "\npurpose=" << purpose << "\nsince=" << now() << "\n";
    const std::string text = info.str();
    // Best effort: the lock itself is what protects the run; the text only names the holder.
    if (::ftruncate(m_fd, 0) == 0)
        (void)!::pwrite(m_fd, text.data(), text.size(), 0);
}

std::string RunLock::holder(const fs::path& dir)
{
    const fs::path file = fileOf(dir);
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return {};
    std::string who;
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            who = describeHolder(file);
    }
    ::close(fd); // releases the probe's lock, if it got one
    return who;
}

RunLock::~RunLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the lock
}

} // namespace maml
