// Does episode sampling (decoding Omniglot's PNG files) ever stall training, and what does progress
// reporting cost? Trains on a real dataset for a few meta-iterations three ways:
//   sync      : each meta-batch sampled on the training thread (what the prefetcher avoids)
//   prefetch  : EpisodePrefetcher, as the trainer does; reports waitedSeconds()
//   observer  : prefetch + a progress observer built like the GUI's (copy under a mutex,
//               a batch handed to another thread at most every 250 ms); reports the time
//               spent inside the observer.
// Usage: bench_pipeline [--omniglot DIR] [--iters N] [--threads T] [--meta-batch B] ...
// DIR is an images_background folder; without --omniglot, $MAML_OMNIGLOT_DIR/images_background.

#include "bench/lib/bench_settings.h"
#include "core/data/omniglot.h"
#include "core/engine/progress.h"
#include "core/engine/threads.h"
#include "core/modules.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

using namespace maml;
using namespace maml::bench;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// The GUI's TrainingSession observer, without Qt: append a copy under a mutex; at most every
/// 250 ms hand the pending points to a consumer thread (the GUI thread's role).
class GuiLikeObserver final : public TrainObserver {
public:
    GuiLikeObserver() : m_consumer([this] { consume(); }) {}
    ~GuiLikeObserver() override
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_one();
        m_consumer.join();
    }
    void onIteration(const TrainProgress& p) override
    {
        const auto t0 = Clock::now();
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_pending.push_back(p);
            if (since(m_lastFlush) >= 0.25) {
                m_lastFlush = Clock::now();
                m_flush = true;
                m_wake.notify_one();
            }
        }
        m_inside += since(t0);
    }
    double secondsInside() const { return m_inside; }
    size_t delivered() const { return m_delivered; }

private:
    void consume()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        while (!m_stop) {
            m_wake.wait(lock, [&] { return m_stop || m_flush; });
            std::vector<TrainProgress> points;
            points.swap(m_pending);
            m_flush = false;
            m_delivered += points.size();
        }
    }
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<TrainProgress> m_pending;
    Clock::time_point m_lastFlush = Clock::now();
    bool m_flush = false, m_stop = false;
    double m_inside = 0;
    size_t m_delivered = 0;
    std::thread m_consumer;
};

struct Args {
    std::string dir;
    MamlSettings s{5, 1, 15, 32, 1, 0.4, false, 64, 1, 28};
    int iters = 10, threads = 2;
};

/// Each mode opens the dataset afresh, so that each pays for decoding its images (the readers
/// cache decoded images).
std::unique_ptr<ImageDataset> open(const Args& a)
{
    return std::make_unique<OmniglotDataset>(a.dir, a.s.size, a.s.channels);
}

nlohmann::json runMode(const std::string& mode, const Args& a)
{
    const auto dataset = open(a);
    EpisodeSampler sampler(*dataset, dataset->splitClasses("all"), {a.s.ways, a.s.shots, a.s.queries});
    torch::manual_seed(1);
    MetaLearner learner(makeConv4(a.s), learnerOptionsFor(a.s, true));
    std::unique_ptr<EpisodePrefetcher> prefetcher;
    if (mode != "sync")
        prefetcher = std::make_unique<EpisodePrefetcher>(sampler, 11, a.s.metaBatch);
    GuiLikeObserver observer;
    double sampling = 0;
    const auto t0 = Clock::now();
    for (int i = 0; i < a.iters; ++i) {
        const auto ts = Clock::now();
        auto batch = prefetcher ? prefetcher->next() : sampler.sampleBatch(deriveSeed(11, i), a.s.metaBatch);
        sampling += since(ts);
        const auto r = learner.metaStep(batch);
        if (mode == "observer") {
            TrainProgress p;
            p.iteration = i + 1;
            p.iterations = a.iters;
            p.trainLoss = r.loss;
            p.trainAccuracy = r.accuracy;
            observer.onIteration(p);
        }
    }
    const double total = since(t0);
    nlohmann::json j{
        {"mode", mode}, {"seconds", total}, {"iters", a.iters}, {"seconds_getting_batches", sampling}};
    if (prefetcher)
        j["prefetcher_waited_s"] = prefetcher->waitedSeconds();
    if (mode == "observer") {
        j["observer_s"] = observer.secondsInside();
        j["observer_share"] = observer.secondsInside() / total;
    }
    return j;
}

} // namespace

int main(int argc, char** argv)
{
    maml::registerBuiltinModules();
    CLI::App app{"Prefetcher stalls and progress-reporting cost during meta-training"};
    Args a;
    app.add_option("--omniglot", a.dir, "an Omniglot folder (images_background layout)");
    addSettingsOptions(app, a.s);
    app.add_option("--iters", a.iters, "meta-iterations per mode");
    app.add_option("--threads", a.threads, "torch threads");
    CLI11_PARSE(app, argc, argv);
    if (a.dir.empty()) {
        const char* env = std::getenv("MAML_OMNIGLOT_DIR");
        if (!env || !*env) {
            std::cerr << "bench_pipeline: name the Omniglot folder: --omniglot DIR (an images_background "
                         "folder) or MAML_OMNIGLOT_DIR (the folder holding images_background)\n";
            return 2;
        }
        a.dir = std::string(env) + "/images_background";
    }
    try {
        applyThreads(a.threads);
        for (const char* mode : {"sync", "prefetch", "observer"})
            std::cout << runMode(mode, a).dump() << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bench_pipeline: " << e.what() << std::endl;
        return 1;
    }
}
