#include "test_dist_support.h"

#include "core/engine/checkpoint.h"
#include "core/engine/meta_learner.h"
#include "core/engine/metrics_log.h"
#include "core/util/atomic_file.h"
#include "test_maml_support.h"

#include <ATen/CPUGeneratorImpl.h>

#include <csignal>
#include <regex>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace maml::test {

namespace fs = std::filesystem;

CliProcess::CliProcess(const std::string& args, const fs::path& out, const fs::path& err)
{
    const std::string cmd =
        "exec " + std::string(MAML_TEST_CLI) + " " + args + " >" + out.string() + " 2>" + err.string();
    m_pid = ::fork();
    if (m_pid == 0) {
        ::setpgid(0, 0);
        ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
}

CliProcess::~CliProcess()
{
    if (running()) {
        ::kill(-m_pid, SIGKILL);
        wait(std::chrono::seconds(10));
    }
}

bool CliProcess::running()
{
    if (m_code != -2)
        return false;
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == 0)
        return true;
    m_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
}

int CliProcess::wait(std::chrono::seconds limit)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (running()) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(-m_pid, SIGKILL); // the launcher and its workers
            int status = 0;
            ::waitpid(m_pid, &status, 0);
            m_code = -1;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return m_code;
}

int runCli(const std::string& args, std::string* err, std::chrono::seconds limit)
{
    const auto dir = tempDir("dist-cli");
    CliProcess p(args, dir / "out", dir / "err");
    const int code = p.wait(limit);
    if (err)
        *err = readFile(dir / "err");
    fs::remove_all(dir);
    return code;
}

ExperimentConfig writeDistConfig(const fs::path& dir, int metaBatch, int64_t iterations, int valEvery)
{
    writeSyntheticPngs(dir / "images", 0, 8, 6);
    auto c = tinyConfig();
    c.dataset = "folder:" + (dir / "images").string();
    c.trainSplit = c.valSplit = c.testSplit = "all";
    c.metaBatch = metaBatch;
    c.iterations = iterations;
    c.valEvery = valEvery;
    c.valEpisodes = 5;
    c.threads = 0;
    writeFileAtomic(dir / "config.json", c.toJson().dump(2));
    return c;
}

TrainState stateOf(const fs::path& checkpoint)
{
    auto loaded = loadModel(checkpoint);
    MetaLearner learner(loaded.model, learnerOptions(loaded.info.config));
    loadCheckpoint(checkpoint, *loaded.model, &learner.optimizer());
    TrainState s;
    s.iteration = loaded.info.iteration;
    auto& state = learner.optimizer().state();
    for (const auto& named : loaded.model->named_parameters()) {
        const auto& p = named.value();
        s.names.push_back(named.key());
        s.params.push_back(p.detach().clone());
        const auto it = state.find(c10::guts::to_string(p.unsafeGetTensorImpl()));
        if (it == state.end())
            continue;
        const auto& adam = static_cast<const torch::optim::AdamParamState&>(*it->second);
        s.expAvg.push_back(adam.exp_avg().clone());
        s.expAvgSq.push_back(adam.exp_avg_sq().clone());
    }
    const auto& c = loaded.info.config;
    torch::Generator gen = at::detail::createCPUGenerator(99);
    const auto images = torch::rand({9, c.channels, c.imageSize, c.imageSize}, gen);
    torch::NoGradGuard noGrad;
    s.logits = loaded.model->forward(images, /*training=*/true);
    return s;
}

double maxDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    if (a.size() != b.size())
        return INFINITY;
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i)
        m = std::max(m, (a[i] - b[i]).abs().max().item<double>());
    return m;
}

double relativeDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    double scale = 0;
    for (const auto& t : a)
        scale = std::max(scale, t.abs().max().item<double>());
    return maxDifference(a, b) / std::max(scale, 1e-30);
}

int rankPid(const std::string& text, int rank)
{
    std::smatch m;
    const std::regex re("rank " + std::to_string(rank) + " is pid ([0-9]+)");
    return std::regex_search(text, m, re) ? std::stoi(m[1]) : 0;
}

int64_t lastMetricsIteration(const fs::path& metrics)
{
    const auto records = MetricsLog(metrics).read();
    return records.empty() ? 0 : records.back().value("iteration", int64_t{0});
}

} // namespace maml::test
