#include "app/cli/launcher.h"

#include "app/cli/dist_args.h"
#include "core/util/error.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

extern char** environ;

namespace maml::cli {

namespace {
using Clock = std::chrono::steady_clock;

int g_signalPipe[2] = {-1, -1};

void onSignal(int sig)
{
    const char c = static_cast<char>(sig);
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &c, 1);
}

/// A TCP port nobody listens on now (the workers' store binds it a moment later).
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (fd >= 0)
            ::close(fd);
        throw Error("cannot find a free TCP port on this machine", "maml-cli --nproc",
                    "Give one with --master 127.0.0.1:PORT");
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

struct Worker {
    int rank = 0;
    pid_t pid = -1;
    int errFd = -1;      ///< its stderr (ranks other than the first: read and filtered here)
    std::string partial; ///< an incomplete line read from errFd
    bool running = true;
    bool stopped = false; ///< was SIGSTOP'ed at some point (seen through WUNTRACED)
    int status = 0;
};

std::string describe(int status)
{
    if (WIFEXITED(status))
        return "exited with code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               ::strsignal(WTERMSIG(status)) + ")";
    return "ended";
}

bool failed(int status)
{
    return !(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 130));
}

/// "NAME=VALUE" strings: this process's environment with `overrides` replaced or added.
std::vector<std::string> environmentWith(const std::map<std::string, std::string>& overrides)
{
    std::vector<std::string> out;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        if (!overrides.count(entry.substr(0, entry.find('='))))
            out.push_back(entry);
    }
    for (const auto& [k, v] : overrides)
        out.push_back(k + "=" + v);
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings)
{
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

/// Starts one worker: this program again, with `args` and `env`. The first local rank keeps
/// this terminal; the others' standard output is dropped and their standard error comes back
/// through a pipe (their own log files hold everything).
void spawn(Worker& w, bool quiet, std::vector<std::string> args, std::vector<std::string> env)
{
    int fds[2] = {-1, -1};
    if (quiet && ::pipe2(fds, O_CLOEXEC) != 0)
        throw Error(std::string("cannot create a pipe: ") + std::strerror(errno), "maml-cli --nproc");
    args.insert(args.begin(), "maml-cli");
    auto argv = pointers(args);
    auto envp = pointers(env);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
        throw Error(std::string("cannot start a worker process: ") + std::strerror(errno),
                    "maml-cli --nproc");
    if (pid == 0) {                         // only async-signal-safe calls until exec
        ::prctl(PR_SET_PDEATHSIG, SIGTERM); // the workers stop (and save) if the launcher dies
        if (::getppid() != parent)
            ::_exit(1);
        if (quiet) {
            const int devnull = ::open("/dev/null", O_WRONLY);
            ::dup2(devnull, STDOUT_FILENO);
            ::dup2(fds[1], STDERR_FILENO);
        }
        ::execve("/proc/self/exe", argv.data(), envp.data());
        const char msg[] = "error: cannot run /proc/self/exe for a worker\n";
        [[maybe_unused]] const auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(127);
    }
    w.pid = pid;
    if (quiet) {
        ::close(fds[1]);
        w.errFd = fds[0];
    }
}

/// Forwards the error and warning lines of a quiet worker's standard error.
void forwardLines(Worker& w, const char* data, size_t n)
{
    w.partial.append(data, n);
    for (auto nl = w.partial.find('\n'); nl != std::string::npos; nl = w.partial.find('\n')) {
        const std::string line = w.partial.substr(0, nl);
        w.partial.erase(0, nl + 1);
        if (line.rfind("error", 0) == 0 || line.rfind("warning", 0) == 0)
            std::cerr << "[rank " << w.rank << "] " << line << "\n";
    }
}

void signalAll(std::vector<Worker>& workers, int sig)
{
    for (auto& w : workers)
        if (w.running)
            ::kill(w.pid, sig);
}

/// The first failure among the workers that ended in this sweep: a signal before an exit
/// code (the others exit with an error because of it), then the lowest rank.
const Worker* firstFailure(const std::vector<const Worker*>& ended)
{
    const Worker* best = nullptr;
    for (const auto* w : ended) {
        if (!failed(w->status))
            continue;
        if (!best || (WIFSIGNALED(w->status) && !WIFSIGNALED(best->status)))
            best = w;
    }
    return best;
}

class Launcher {
public:
    explicit Launcher(const LaunchPlan& plan) : m_plan(plan) {}

    int run()
    {
        start();
        while (anyRunning() || anyPipeOpen())
            step();
        return finish();
    }

private:
    void start()
    {
        if (m_plan.masterAddr.empty()) {
            m_plan.masterAddr = "127.0.0.1";
            m_plan.masterPort = freePort();
        }
        auto args = m_plan.args;
        for (const char* name : {"--nproc", "--rank", "--world-size", "--master"})
            args = withoutOption(args, name);
        const bool threadsGiven = withoutOption(args, "--threads").size() != args.size();
        std::cerr << "maml-cli: " << m_plan.nproc << " processes (ranks " << m_plan.firstRank << ".."
                  << m_plan.firstRank + m_plan.nproc - 1 << " of " << m_plan.worldSize << "), master "
                  << m_plan.masterAddr << ":" << m_plan.masterPort << ", "
                  << (threadsGiven ? std::string("--threads")
                                   : std::to_string(threadsPerProcess(m_plan.nproc)))
                  << " torch threads each\n";
        if (::pipe2(g_signalPipe, O_CLOEXEC) != 0)
            throw Error("cannot create a pipe", "maml-cli --nproc");
        struct sigaction sa {};
        sa.sa_handler = onSignal;
        ::sigaction(SIGINT, &sa, nullptr);
        ::sigaction(SIGTERM, &sa, nullptr);
        ::sigaction(SIGHUP, &sa, nullptr);
        for (int i = 0; i < m_plan.nproc; ++i) {
            Worker w;
            w.rank = m_plan.firstRank + i;
            const auto env = environmentWith({{"RANK", std::to_string(w.rank)},
                                              {"LOCAL_RANK", std::to_string(i)},
                                              {"WORLD_SIZE", std::to_string(m_plan.worldSize)},
                                              {"LOCAL_WORLD_SIZE", std::to_string(m_plan.nproc)},
                                              {"MASTER_ADDR", m_plan.masterAddr},
                                              {"MASTER_PORT", std::to_string(m_plan.masterPort)}});
            spawn(w, /*quiet=*/i > 0, args, env);
            std::cerr << "maml-cli: rank " << w.rank << " is pid " << w.pid << "\n";
            m_workers.push_back(std::move(w));
        }
    }

    bool anyRunning() const
    {
        for (const auto& w : m_workers)
            if (w.running)
                return true;
        return false;
    }

    bool anyPipeOpen() const
    {
        for (const auto& w : m_workers)
            if (w.errFd >= 0)
                return true;
        return false;
    }

    void step()
    {
        std::vector<pollfd> fds{{g_signalPipe[0], POLLIN, 0}};
        for (const auto& w : m_workers)
            if (w.errFd >= 0)
                fds.push_back({w.errFd, POLLIN, 0});
        ::poll(fds.data(), fds.size(), 200);
        if (fds[0].revents & POLLIN)
            onSignals();
        for (size_t k = 1; k < fds.size(); ++k)
            if (fds[k].revents & (POLLIN | POLLHUP))
                readFrom(fds[k].fd);
        reap();
        if (m_termAt && Clock::now() > *m_termAt) {
            signalAll(m_workers, SIGTERM);
            signalAll(m_workers, SIGCONT); // a stopped worker must run to act on SIGTERM
            m_termAt.reset();
        }
        if (m_killAt && Clock::now() > *m_killAt) {
            signalAll(m_workers, SIGKILL);
            m_killAt.reset();
        }
    }

    void onSignals()
    {
        char buf[16];
        const auto n = ::read(g_signalPipe[0], buf, sizeof buf);
        for (ssize_t i = 0; i < n; ++i) {
            if (++m_interrupts == 1) {
                std::cerr << "\nmaml-cli: stopping: every rank finishes the current iteration, rank 0 saves, "
                             "then all stop (again to kill them at once)\n";
                signalAll(m_workers, SIGINT);
            } else {
                signalAll(m_workers, SIGKILL);
            }
        }
    }

    void readFrom(int fd)
    {
        for (auto& w : m_workers) {
            if (w.errFd != fd)
                continue;
            char buf[4096];
            const auto n = ::read(fd, buf, sizeof buf);
            if (n > 0) {
                forwardLines(w, buf, static_cast<size_t>(n));
            } else {
                ::close(fd);
                w.errFd = -1;
            }
        }
    }

    void reap()
    {
        std::vector<const Worker*> ended;
        for (auto& w : m_workers) {
            int status = 0;
            if (!w.running || ::waitpid(w.pid, &status, WNOHANG | WUNTRACED | WCONTINUED) <= 0)
                continue;
            if (WIFSTOPPED(status) || WIFCONTINUED(status)) {
                w.stopped = w.stopped || WIFSTOPPED(status);
                continue;
            }
            w.running = false;
            w.status = status;
            ended.push_back(&w);
        }
        if (m_culprit)
            return;
        if (const Worker* w = firstFailure(ended)) {
            // The others notice by themselves within moments (a closed connection) and say so:
            // give them that time before SIGTERM, and SIGKILL after the grace period.
            m_culprit = w;
            m_termAt = Clock::now() + std::chrono::seconds(3);
            m_killAt =
                *m_termAt + std::chrono::milliseconds(static_cast<int64_t>(m_plan.graceSeconds * 1000));
        }
    }

    int finish()
    {
        if (!m_culprit) {
            for (const auto& w : m_workers)
                if (!(WIFEXITED(w.status) && WEXITSTATUS(w.status) == 0))
                    return WIFEXITED(w.status) ? WEXITSTATUS(w.status) : 1;
            return 0;
        }
        std::string stopped;
        for (const auto& w : m_workers)
            if (w.stopped && &w != m_culprit)
                stopped += " Rank " + std::to_string(w.rank) + " (pid " + std::to_string(w.pid) +
                           ") was stopped (SIGSTOP) and did not answer.";
        DistOptions o;
        o.worldSize = m_plan.worldSize;
        o.localWorldSize = m_plan.nproc;
        std::cerr << "error: rank " << m_culprit->rank << " (pid " << m_culprit->pid << ") "
                  << describe(m_culprit->status) << "; the other ranks were stopped." << stopped << "\n";
        if (trainingBegan())
            std::cerr << resumeHint(m_plan.runDir, o) << "\n";
        return 1;
    }

    /// Whether this launch got as far as training: rank 0 wrote checkpoints/last.pt since the
    /// launch, or a rank was killed (a start-up error explains itself).
    bool trainingBegan() const
    {
        namespace fs = std::filesystem;
        if (m_plan.runDir.empty())
            return false;
        if (WIFSIGNALED(m_culprit->status))
            return true;
        std::error_code ec;
        const auto last = fs::path(m_plan.runDir) / "checkpoints" / "last.pt";
        return fs::exists(last, ec) && fs::last_write_time(last, ec) >= m_started;
    }

    LaunchPlan m_plan;
    std::filesystem::file_time_type m_started = std::filesystem::file_time_type::clock::now();
    std::vector<Worker> m_workers;
    const Worker* m_culprit = nullptr;
    std::optional<Clock::time_point> m_termAt, m_killAt;
    int m_interrupts = 0;
};
} // namespace

std::vector<std::string> withoutOption(const std::vector<std::string>& args, const std::string& name)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == name) {
            ++i; // and its value
            continue;
        }
        if (args[i].rfind(name + "=", 0) == 0)
            continue;
        out.push_back(args[i]);
    }
    return out;
}

int launchWorkers(const LaunchPlan& plan)
{
    return Launcher(plan).run();
}

} // namespace maml::cli
