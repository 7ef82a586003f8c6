#include "test_maml_support.h"

#include "core/engine/image_task_source.h"
#include "core/engine/task_source.h"

#include <ATen/CPUGeneratorImpl.h>
#include <opencv2/imgcodecs.hpp>

#include <mutex>

#include <unistd.h>

namespace maml::test {

namespace {
constexpr int kClasses = 24, kPerClass = 12, kSize = 16;

class SyntheticDataset final : public ImageDataset {
public:
    SyntheticDataset()
    {
        torch::Generator gen = at::detail::createCPUGenerator(1234);
        m_prototypes = torch::rand({kClasses, 1, kSize, kSize}, gen);
        m_noise = 0.25 * torch::randn({kClasses, kPerClass, 1, kSize, kSize}, gen);
        for (int c = 0; c < kClasses; ++c)
            m_names.push_back("class" + std::to_string(c));
    }
    std::string name() const override { return "synthetic"; }
    std::string location() const override { return "memory"; }
    const std::vector<std::string>& classNames() const override { return m_names; }
    int imageCount(int) const override { return kPerClass; }
    ImageShape shape() const override { return {1, kSize, kSize}; }
    torch::Tensor image(int cls, int index) const override
    {
        return (m_prototypes[cls] + m_noise[cls][index]).clamp(0, 1);
    }
    std::string imageSource(int cls, int index) const override
    {
        return "synthetic " + std::to_string(cls) + "/" + std::to_string(index);
    }
    std::map<std::string, std::vector<int>> splits() const override
    {
        std::map<std::string, std::vector<int>> s;
        for (int c = 0; c < kClasses; ++c) {
            s["all"].push_back(c);
            s[c < 12 ? "train" : c < 18 ? "val" : "test"].push_back(c);
        }
        return s;
    }

private:
    torch::Tensor m_prototypes, m_noise;
    std::vector<std::string> m_names;
};
} // namespace

std::shared_ptr<ImageDataset> syntheticDataset()
{
    static auto ds = std::make_shared<SyntheticDataset>();
    return ds;
}

void registerSyntheticTaskSource()
{
    static std::once_flag once;
    std::call_once(once, [] {
        registerTaskSourceFactory({"synthetic", [](const std::string& spec) { return spec == "synthetic"; },
                                   [](const ExperimentConfig& c, const std::string& split) {
                                       auto ds = syntheticDataset();
                                       return std::make_shared<ImageTaskSource>(
                                           ds, classPoolFor(*ds, c, split), c.episodeSpec(), split);
                                   }});
    });
}

ExperimentConfig tinyConfig()
{
    registerSyntheticTaskSource();
    ExperimentConfig c;
    c.dataset = "synthetic";
    c.imageSize = kSize;
    c.channels = 1;
    c.ways = 3;
    c.shots = 1;
    c.queries = 3;
    c.filters = 4;
    c.innerStepsTrain = 1;
    c.innerStepsEval = 2;
    c.innerLr = 0.4;
    c.metaBatch = 2;
    c.iterations = 6;
    c.valEvery = 3;
    c.valEpisodes = 4;
    c.evalEpisodes = 10;
    c.logEvery = 1;
    c.threads = 1;
    c.seed = 7;
    return c;
}

std::filesystem::path tempDir(const std::string& name)
{
    auto dir = std::filesystem::temp_directory_path() /
               ("maml-engine-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

void writeSyntheticPngs(const std::filesystem::path& dir, int first, int count, int perClass)
{
    auto ds = syntheticDataset();
    for (int c = first; c < first + count; ++c) {
        const auto classDir = dir / ds->classNames()[c];
        std::filesystem::create_directories(classDir);
        for (int i = 0; i < perClass; ++i) {
            auto t = (ds->image(c, i)[0] * 255).round().to(torch::kUInt8).contiguous();
            cv::Mat m(kSize, kSize, CV_8UC1, t.data_ptr<uint8_t>());
            cv::imwrite((classDir / (std::to_string(i) + ".png")).string(), m);
        }
    }
}

} // namespace maml::test
