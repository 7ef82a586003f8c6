#include "core/dist/gloo_collective.h"

#include <spdlog/spdlog.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace maml {

namespace {
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds millis(double seconds)
{
    return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
}

std::vector<uint8_t> bytesOf(const std::string& s)
{
    return {s.begin(), s.end()};
}

std::string textOf(const std::vector<uint8_t>& b)
{
    return {b.begin(), b.end()};
}

bool has(const std::string& s, const char* part)
{
    return s.find(part) != std::string::npos;
}

/// The first line of an exception's message (c10 errors append a C++ backtrace).
std::string firstLine(const std::exception& e)
{
    const auto* c10 = dynamic_cast<const c10::Error*>(&e);
    std::string s = c10 ? c10->what_without_backtrace() : e.what();
    const auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
}

std::string seconds(double s)
{
    return std::to_string(static_cast<long>(s + 0.5)) + " s";
}

bool isLoopback(const std::string& host)
{
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

std::string hostName()
{
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

/// The local address this machine uses to reach `host` (connecting a UDP socket sends nothing),
/// or "" when that cannot be found.
std::string localAddressTowards(const std::string& host, int port)
{
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
        return {};
    std::string out;
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
        sockaddr_in local{};
        socklen_t len = sizeof local;
        char text[INET_ADDRSTRLEN] = {};
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
            ::inet_ntop(AF_INET, &local.sin_addr, text, sizeof text))
            out = text;
    }
    if (fd >= 0)
        ::close(fd);
    ::freeaddrinfo(found);
    return out;
}

/// The network device Gloo binds: GLOO_SOCKET_IFNAME when set (as in PyTorch), loopback for
/// a run on this machine, else the address that reaches rank 0's machine.
std::shared_ptr<::gloo::transport::Device> makeDevice(const DistOptions& o)
{
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
        return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
    if (isLoopback(o.masterAddr))
        return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    const auto local = localAddressTowards(o.masterAddr, o.masterPort);
    return local.empty() ? c10d::ProcessGroupGloo::createDefaultDevice()
                         : c10d::ProcessGroupGloo::createDeviceForHostname(local);
}

/// The state letter of process `pid` on this machine from /proc (R, S, D, T = stopped,
/// Z = exited but not yet reaped); 'X' when there is no such process.
char processState(long pid)
{
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(f, line))
        return 'X';
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() ? line[close + 2] : '?';
}

/// A rank's machine and process id, published when it connects.
struct Peer {
    std::string host;
    long pid = 0;
};

Error connectError(const DistOptions& o, const std::string& what)
{
    const std::string where = "rank " + std::to_string(o.rank) + ", master " + o.master();
    if (has(what, "Address already in use") || has(what, "errno: 98"))
        return Error("port " + std::to_string(o.masterPort) + " is already in use on this machine", where,
                     "Choose another port with --master HOST:PORT (--nproc alone picks a free one)");
    if (has(what, "waiting for clients"))
        return Error("not every rank joined within " + seconds(o.timeoutSeconds) + " (" + what + ")", where,
                     "Start all " + std::to_string(o.worldSize) +
                         " ranks with the same --master and --world-size, or raise --timeout");
    if (has(what, "timed out") || has(what, "Timed out") || has(what, "refused") || has(what, "unreachable"))
        return Error("cannot reach rank 0 at " + o.master() + " within " + seconds(o.timeoutSeconds) + " (" +
                         what + ")",
                     where,
                     "Start rank 0 first (on the --master machine), check the host name, the port and the "
                     "firewall, or raise --timeout");
    return Error("cannot connect the distributed run: " + what, where,
                 "Check --master, --world-size and --rank on every machine");
}
} // namespace

class GlooCollective final : public Collective {
public:
    explicit GlooCollective(const DistOptions& options) : m_o(options), m_host(hostName())
    {
        connectStore();
        publish("maml/peer/" + std::to_string(m_o.rank), m_host + " " + std::to_string(::getpid()));
        connectGroup();
        for (int r = 0; r < m_o.worldSize; ++r) {
            Peer p;
            const auto text = fetch("maml/peer/" + std::to_string(r), m_o.timeoutSeconds);
            const auto space = text.rfind(' ');
            p.host = text.substr(0, space);
            p.pid = std::atol(text.c_str() + space + 1);
            m_peers.push_back(p);
        }
    }

    int rank() const override { return m_o.rank; }
    int worldSize() const override { return m_o.worldSize; }
    double timeoutSeconds() const override { return m_o.timeoutSeconds; }
    double allReduceSeconds() const override { return m_seconds; }
    long allReduceCalls() const override { return m_calls; }

    void setStep(const std::string& step) override { m_step = step; }
    std::string step() const override { return m_step; }

    void allReduceSum(at::Tensor& buffer) override
    {
        const std::string& step = m_step;
        ++m_seq;
        const auto start = Clock::now();
        try {
            m_store->set("maml/hb/" + std::to_string(m_o.rank), bytesOf(std::to_string(m_seq) + " " + step));
            std::vector<at::Tensor> tensors{buffer};
            m_group->allreduce(tensors)->wait();
        } catch (const std::exception& e) {
            throw failure(step, firstLine(e));
        }
        m_seconds += std::chrono::duration<double>(Clock::now() - start).count();
        ++m_calls;
    }

    void publish(const std::string& key, const std::string& value) override
    {
        try {
            m_store->set(key, bytesOf(value));
        } catch (const std::exception& e) {
            throw failure(m_step, firstLine(e));
        }
    }

    std::string fetch(const std::string& key, double timeoutSeconds) override
    {
        try {
            m_store->wait({key}, millis(timeoutSeconds));
            return textOf(m_store->get(key));
        } catch (const std::exception& e) {
            // Only rank 0 publishes what the others wait for.
            throw failure(m_step, firstLine(e),
                          "rank 0 did not send " + key + " within " + seconds(timeoutSeconds));
        }
    }

    void remove(const std::string& key) override
    {
        try {
            m_store->deleteKey(key);
        } catch (const std::exception& e) {
            throw failure(m_step, firstLine(e));
        }
    }

    void barrier(const std::string& name, double timeoutSeconds) override
    {
        const std::string key = "maml/barrier/" + name;
        try {
            m_store->set(key + "/" + std::to_string(m_o.rank), bytesOf("1"));
            m_store->add(key, 1);
            const auto deadline = Clock::now() + millis(timeoutSeconds);
            auto pause = std::chrono::milliseconds(2);
            while (m_store->add(key, 0) < m_o.worldSize) {
                if (const auto gone = localPeersGone(); !gone.empty()) // no need to wait them out
                    throw failure(m_step, "", gone);
                if (Clock::now() > deadline)
                    throw CollectiveFailure(missingAt(key, name, timeoutSeconds),
                                            "as seen from rank " + std::to_string(m_o.rank), resumeHint());
                std::this_thread::sleep_for(pause);
                pause = std::min(pause * 2, std::chrono::milliseconds(100));
            }
        } catch (const CollectiveFailure&) {
            throw;
        } catch (const std::exception& e) {
            throw failure(m_step, firstLine(e));
        }
    }

    void finish(double timeoutSeconds) override
    {
        try {
            m_store->add("maml/finished", 1);
            if (m_o.rank != 0)
                return;
            const auto deadline = Clock::now() + millis(timeoutSeconds);
            while (m_store->add("maml/finished", 0) < m_o.worldSize && Clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        } catch (const std::exception& e) {
            spdlog::warn("rank {}: finishing the distributed run: {}", m_o.rank, firstLine(e));
        }
    }

private:
    void connectStore()
    {
        c10d::TCPStoreOptions so;
        so.port = static_cast<std::uint16_t>(m_o.masterPort);
        so.isServer = m_o.rank == 0;
        so.numWorkers = static_cast<std::size_t>(m_o.worldSize);
        so.waitWorkers = true;
        so.timeout = millis(m_o.timeoutSeconds);
        try {
            m_store = c10::make_intrusive<c10d::TCPStore>(m_o.masterAddr, so);
        } catch (const std::exception& e) {
            throw connectError(m_o, firstLine(e));
        }
    }

    void connectGroup()
    {
        auto options = c10d::ProcessGroupGloo::Options::create(millis(m_o.timeoutSeconds));
        try {
            options->devices.push_back(makeDevice(m_o));
            auto prefixed = c10::make_intrusive<c10d::PrefixStore>("gloo", m_store);
            m_group = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, m_o.rank, m_o.worldSize, options);
        } catch (const std::exception& e) {
            throw Error("the ranks could not connect to each other: " + firstLine(e),
                        "as seen from rank " + std::to_string(m_o.rank),
                        "Gloo connects every pair of ranks on ephemeral TCP ports: allow TCP between the "
                        "machines, or set GLOO_SOCKET_IFNAME to the network interface that reaches them");
        }
    }

    static std::string resumeHint()
    {
        return "Nothing checkpointed is lost: rank 0's run folder continues with `maml-cli resume`";
    }

    /// Ranks that have not set `key`/<rank>.
    std::string missingAt(const std::string& key, const std::string& name, double timeoutSeconds)
    {
        std::string missing;
        for (int r = 0; r < m_o.worldSize; ++r)
            if (!m_store->check({key + "/" + std::to_string(r)}))
                missing += (missing.empty() ? "" : ", ") + std::to_string(r);
        return "rank(s) " + missing + " did not reach " + name + " within " + seconds(timeoutSeconds);
    }

    /// `fallback`: what to say when no rank can be named.
    CollectiveFailure failure(const std::string& step, const std::string& what,
                              const std::string& fallback = {})
    {
        const bool timedOut = has(what, "Timed out") || has(what, "timed out") || has(what, "Timeout");
        std::string who = whoFailed(step);
        if (who.empty() && !fallback.empty())
            who = fallback;
        else if (who.empty())
            who = timedOut
                      ? "some rank did not answer within " + seconds(m_o.timeoutSeconds) + " (" + what + ")"
                      : what;
        else if (timedOut)
            who += " (waited " + seconds(m_o.timeoutSeconds) + ", --timeout)";
        spdlog::debug("distributed run stopped at {}: {}", step, who); // the caller reports it

        return CollectiveFailure("the distributed run stopped at " + step + ": " + who,
                                 "as seen from rank " + std::to_string(m_o.rank), resumeHint());
    }

    /// Ranks on this machine whose process exited or is stopped, as a sentence ("" if none).
    std::string localPeersGone() const
    {
        std::string out;
        for (int r = 0; r < static_cast<int>(m_peers.size()); ++r) {
            if (r == m_o.rank || m_peers[r].host != m_host)
                continue;
            const char state = processState(m_peers[r].pid);
            const std::string who =
                "rank " + std::to_string(r) + " (pid " + std::to_string(m_peers[r].pid) + ")";
            if (state == 'X' || state == 'Z')
                out += (out.empty() ? "" : "; ") + who + " has exited";
            else if (state == 'T' || state == 't')
                out += (out.empty() ? "" : "; ") + who + " is stopped (SIGSTOP) and does not answer";
        }
        return out;
    }

    /// Names the ranks that stopped taking part: processes on this machine that exited or are
    /// stopped, then ranks whose heartbeat (the last step each one entered) is behind ours.
    std::string whoFailed(const std::string& step)
    {
        std::string out = localPeersGone();
        if (!out.empty())
            return out;
        auto add = [&out](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
        try {
            m_store->setTimeout(std::chrono::seconds(3));
            for (int r = 0; r < m_o.worldSize; ++r) {
                const std::string key = "maml/hb/" + std::to_string(r);
                if (r == m_o.rank || !m_store->check({key}))
                    continue;
                const auto hb = textOf(m_store->get(key));
                const auto space = hb.find(' ');
                if (std::atol(hb.c_str()) < m_seq)
                    add("rank " + std::to_string(r) + " did not reach " + step + " (its last step was " +
                        hb.substr(space + 1) + ")");
            }
        } catch (const std::exception&) {
            if (m_o.rank != 0)
                return "rank 0, which hosts the run's rendezvous at " + m_o.master() +
                       ", can no longer be reached (it has stopped, or its machine is gone)";
        }
        return out;
    }

    DistOptions m_o;
    std::string m_host;
    c10::intrusive_ptr<c10d::TCPStore> m_store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> m_group;
    std::vector<Peer> m_peers;
    std::string m_step = "start-up";
    long m_seq = 0;
    double m_seconds = 0;
    long m_calls = 0;
};

std::shared_ptr<Collective> connectGloo(const DistOptions& options)
{
    validateDistOptions(options);
    return std::make_shared<GlooCollective>(options);
}

} // namespace maml
