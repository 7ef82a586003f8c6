#pragma once
/// \file
/// One trainer per run folder: an exclusive advisory lock (flock) on <run>/.lock, held while a
/// process trains or resumes the run and released by the kernel when that process ends, even
/// by kill -9. The file records who holds it, so a second trainer can say which process to wait for.

#include <filesystem>
#include <string>

namespace maml {

class RunLock {
public:
    /// Locks `dir` (which must exist) for `purpose` (e.g. "train", "resume"). Throws maml::Error
    /// naming the process (PID, host, program, what it does, since when) that holds it.
    explicit RunLock(const std::filesystem::path& dir, const std::string& purpose);
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

    /// Who trains `dir` now ("process 123 (maml-cli resume), since ..."), or empty when nobody
    /// does (or the folder has no lock file). Probes with a shared lock held for an instant: a
    /// trainer starting in that instant is refused as if another trainer held the folder.
    static std::string holder(const std::filesystem::path& dir);

    /// The lock file of a run folder.
    static std::filesystem::path fileOf(const std::filesystem::path& dir) { return dir / ".lock"; }

private:
    int m_fd = -1;
};

} // namespace maml
