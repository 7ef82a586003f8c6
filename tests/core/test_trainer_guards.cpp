// Issue 13, item 7 (the trainer's part): the NaN stop names the iteration last.pt really holds,
// last.pt is also written by time (and resuming from such a checkpoint is bit-exact), and
// `resume --iterations` below the run's progress is refused without touching config.json.
#include "core/engine/checkpoint.h"
#include "core/engine/metrics_log.h"
#include "core/engine/task_source.h"
#include "core/engine/trainer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "test_maml_support.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cmath>

namespace maml {
namespace {

namespace fs = std::filesystem;
using test::errorOf;

/// Batches from `first` on carry NaN images, so the loss turns NaN at a chosen iteration.
class PoisonedStream final : public BatchStream {
public:
    PoisonedStream(std::unique_ptr<BatchStream> inner, uint64_t first, uint64_t poisonFrom)
        : m_inner(std::move(inner)), m_index(first), m_from(poisonFrom)
    {
    }
    std::vector<Episode> next() override
    {
        auto batch = m_inner->next();
        if (m_index++ >= m_from)
            for (auto& e : batch)
                e.supportX = torch::full_like(e.supportX, std::nan(""));
        return batch;
    }

private:
    std::unique_ptr<BatchStream> m_inner;
    uint64_t m_index, m_from;
};

class PoisonedSource final : public TaskSource {
public:
    PoisonedSource(std::shared_ptr<TaskSource> inner, uint64_t from) : m_inner(std::move(inner)), m_from(from)
    {
    }
    Episode sample(uint64_t seed) const override { return m_inner->sample(seed); }
    EpisodeSpec spec() const override { return m_inner->spec(); }
    std::vector<std::string> datasetClassNames() const override { return m_inner->datasetClassNames(); }
    std::vector<int> classPool() const override { return m_inner->classPool(); }
    std::string describe() const override { return "poisoned " + m_inner->describe(); }
    using TaskSource::stream;
    std::unique_ptr<BatchStream> stream(uint64_t seed, uint64_t first, int count,
                                        TaskRange tasks) const override
    {
        return std::make_unique<PoisonedStream>(m_inner->stream(seed, first, count, tasks), first, m_from);
    }

private:
    std::shared_ptr<TaskSource> m_inner;
    uint64_t m_from;
};

/// "nan-after-K": the synthetic data, whose training batches from index K on are NaN.
void registerPoisonedSource()
{
    static std::once_flag once;
    std::call_once(once, [] {
        test::registerSyntheticTaskSource();
        registerTaskSourceFactory(
            {"poisoned", [](const std::string& spec) { return spec.rfind("nan-after-", 0) == 0; },
             [](const ExperimentConfig& c, const std::string& split) -> std::shared_ptr<TaskSource> {
                 ExperimentConfig inner = c;
                 inner.dataset = "synthetic";
                 auto source = makeTaskSource(inner, split);
                 if (split != c.trainSplit)
                     return source;
                 return std::make_shared<PoisonedSource>(source, std::stoull(c.dataset.substr(10)));
             }});
    });
}

TEST(TrainerGuards, TheNanStopNamesTheIterationLastPtHolds)
{
    registerPoisonedSource();
    test::TempDir dir;
    auto c = test::tinyConfig();
    c.dataset = "nan-after-6"; // iterations 1-6 are fine, 7 is NaN
    c.iterations = 8;
    c.valEvery = 4; // last.pt at 4
    c.checkpointMinutes = 0;
    auto trainer = Trainer::startRun(c, dir / "run");
    const std::string message = errorOf([&] { trainer.run(); });
    EXPECT_NE(message.find("became NaN at iteration 7"), std::string::npos) << message;
    EXPECT_NE(message.find("last good state (iteration 4)"), std::string::npos) << message;
    EXPECT_EQ(readCheckpointInfo(RunPaths{dir / "run"}.last()).iteration, 4);
}

/// Records the iterations at which last.pt was written; copies it away at `keepAt`.
struct CheckpointLog final : TrainObserver {
    fs::path keepAt4;
    std::vector<int64_t> lastWrites;
    void onCheckpoint(const std::string& path, int64_t iteration) override
    {
        if (fs::path(path).filename() != "last.pt")
            return;
        lastWrites.push_back(iteration);
        if (iteration == 4 && !keepAt4.empty())
            fs::copy_file(path, keepAt4, fs::copy_options::overwrite_existing);
    }
};

std::vector<torch::Tensor> weightsOf(const fs::path& checkpoint)
{
    std::vector<torch::Tensor> out;
    for (const auto& p : loadModel(checkpoint).model->parameters())
        out.push_back(p.detach());
    return out;
}

TEST(TrainerGuards, LastPtIsAlsoWrittenByTimeAndResumingFromItIsBitExact)
{
    test::TempDir dir;
    auto c = test::tinyConfig();
    c.valEvery = 100; // validation only at the end (iteration 6)
    c.checkpointMinutes = 0;
    CheckpointLog plain;
    Trainer::startRun(c, dir / "plain").run(&plain);
    EXPECT_EQ(plain.lastWrites, (std::vector<int64_t>{0, 6}));

    c.checkpointMinutes = 1e-9; // due after every iteration
    CheckpointLog timed;
    timed.keepAt4 = dir / "last-at-4.pt";
    Trainer::startRun(c, dir / "timed").run(&timed);
    EXPECT_EQ(timed.lastWrites, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6}));

    // A crash right after iteration 4: the run folder as it was then, resumed.
    const RunPaths crashed{dir / "crashed"};
    fs::create_directories(crashed.dir / "checkpoints");
    fs::copy_file(RunPaths{dir / "timed"}.config(), crashed.config());
    fs::copy_file(RunPaths{dir / "timed"}.metrics(), crashed.metrics());
    fs::copy_file(timed.keepAt4, crashed.last());
    auto resumed = Trainer::resumeRun(crashed.dir);
    EXPECT_EQ(resumed.startIteration(), 4);
    resumed.run();

    const auto a = weightsOf(RunPaths{dir / "plain"}.last());
    const auto b = weightsOf(RunPaths{dir / "timed"}.last());
    const auto r = weightsOf(crashed.last());
    ASSERT_EQ(a.size(), r.size());
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_TRUE(torch::equal(a[i], b[i])) << "time checkpoints changed training, parameter " << i;
        EXPECT_TRUE(torch::equal(a[i], r[i])) << "resume from a time checkpoint, parameter " << i;
    }
    auto metrics = [](const fs::path& d) {
        auto records = MetricsLog(RunPaths{d}.metrics()).read();
        for (auto& rec : records) { // timings differ from run to run
            rec.erase("seconds");
            rec.erase("cpu_seconds");
        }
        return records;
    };
    EXPECT_EQ(metrics(dir / "plain"), metrics(crashed.dir));
}

TEST(TrainerGuards, ResumeToFewerIterationsThanDoneIsRefused)
{
    test::TempDir dir;
    test::writeSyntheticPngs(dir / "images", 0, 6, 5);
    auto c = test::tinyConfig();
    c.dataset = "folder:" + (dir / "images").string();
    c.trainSplit = c.valSplit = c.testSplit = "all";
    c.iterations = 4;
    c.valEvery = 2;
    const fs::path run = dir / "run";
    Trainer::startRun(c, run).run();
    const std::string config = test::readBytes(RunPaths{run}.config());
    const std::string message = errorOf([&] { Trainer::resumeRun(run, 3); });
    EXPECT_NE(message.find("already at iteration 4"), std::string::npos) << message;
    EXPECT_EQ(test::readBytes(RunPaths{run}.config()), config);

    std::string out;
    const int code = test::runCommand(
        std::string(MAML_TEST_CLI) + " resume --run-dir " + run.string() + " --iterations 3", &out);
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find("already at iteration 4"), std::string::npos) << out;
    EXPECT_EQ(out.find("finished at iteration"), std::string::npos) << out;
    EXPECT_EQ(test::readBytes(RunPaths{run}.config()), config);
}

} // namespace
} // namespace maml
