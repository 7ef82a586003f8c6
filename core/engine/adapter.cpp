#include "core/engine/adapter.h"
#include "core/util/registry.h"

#include "core/data/image_io.h"
#include "core/engine/checkpoint.h"
#include "core/engine/meta_learner.h"
#include "core/engine/model_factory.h"
#include "core/engine/torchscript_export.h"
#include "core/util/error.h"

#include <map>
#include <mutex>

namespace maml {

namespace fs = std::filesystem;

namespace {

Registry<AdapterFactory>& factories()
{
    static Registry<AdapterFactory> r;
    return r;
}

std::string modelOf(const ExperimentConfig& c)
{
    return "dataset " + c.dataset + ", model " + c.model;
}

} // namespace

struct ModelAdapter::Impl {
    LoadedModel loaded;
    std::unique_ptr<InnerLoop> learner;
    std::vector<torch::Tensor> meta; ///< the meta-parameters as loaded
    std::vector<torch::Tensor> fast; ///< adapted weights; empty = not adapted
    int steps = 0;                   ///< steps of the adaptation in `fast`
    torch::Tensor supportX, supportY;
    std::vector<std::string> names;

    std::vector<torch::Tensor> weights() const { return fast.empty() ? meta : fast; }

    std::vector<Prediction> predict(const torch::Tensor& x, const std::vector<std::string>& items) const
    {
        if (!supportX.defined())
            throw Error("no support set", "adapter", "Give the support examples (one class per name) first");
        torch::NoGradGuard noGrad;
        const auto dtype = meta.front().scalar_type();
        const auto device = meta.front().device();
        auto q = x.is_floating_point() ? x.to(device, dtype) : x.to(device);
        // With batch statistics a lone query image would normalise against itself; the
        // support set goes through the same forward pass so the statistics are meaningful.
        const bool joint = loaded.info.config.batchNorm == "batch";
        auto input = joint ? torch::cat({supportX.to(device, q.scalar_type()), q}) : q;
        // Per-step BatchNorm: the step the adapted weights came from (training's query forward).
        auto logits = learner->logits(input, weights(), /*training=*/false, {std::max(steps - 1, 0), false});
        if (joint)
            logits = logits.slice(0, supportX.size(0));
        const auto probs =
            torch::softmax(logits.slice(1, 0, static_cast<int64_t>(names.size())).to(torch::kFloat64), 1)
                .cpu();
        std::vector<Prediction> out;
        for (int64_t i = 0; i < probs.size(0); ++i) {
            Prediction p;
            p.item = i < static_cast<int64_t>(items.size()) ? items[i] : std::to_string(i);
            auto row = probs[i];
            p.probabilities.assign(row.data_ptr<double>(), row.data_ptr<double>() + row.size(0));
            p.label = static_cast<int>(row.argmax().item<int64_t>());
            p.className = names[p.label];
            out.push_back(std::move(p));
        }
        return out;
    }
};

ModelAdapter::ModelAdapter(LoadedModel&& loaded) : m_impl(std::make_unique<Impl>())
{
    m_impl->loaded = std::move(loaded);
    m_impl->learner =
        std::make_unique<InnerLoop>(m_impl->loaded.model, learnerOptions(m_impl->loaded.info.config));
    for (const auto& p : m_impl->loaded.model->metaParameters())
        m_impl->meta.push_back(p.detach().clone());
}

ModelAdapter::~ModelAdapter() = default;

const ExperimentConfig& ModelAdapter::config() const
{
    return m_impl->loaded.info.config;
}
const std::vector<std::string>& ModelAdapter::classNames() const
{
    return m_impl->names;
}
bool ModelAdapter::adapted() const
{
    return !m_impl->fast.empty();
}
void ModelAdapter::reset()
{
    m_impl->fast.clear();
    m_impl->steps = 0;
}

void ModelAdapter::setSupportTensors(const at::Tensor& x, const at::Tensor& y,
                                     const std::vector<std::string>& names)
{
    const int ways = config().ways;
    if (names.size() < 2 || static_cast<int>(names.size()) > ways)
        throw Error("the support set has " + std::to_string(names.size()) +
                        " classes; this model handles 2 to " + std::to_string(ways),
                    "adapter support set",
                    "Give between 2 and " + std::to_string(ways) + " classes (the model was meta-trained " +
                        std::to_string(ways) + "-way)");
    if (x.size(0) != y.size(0))
        throw Error("support inputs and labels differ in length", "adapter support set");
    m_impl->supportX = x;
    m_impl->supportY = y.to(torch::kInt64);
    m_impl->names = names;
    reset();
}

double ModelAdapter::adapt(int steps, const StepCallback& onStep, RunControl* control)
{
    if (!m_impl->supportX.defined())
        throw Error("no support set", "adapter", "Give the support examples (one class per name) first");
    const int s = steps >= 0 ? steps : config().innerStepsEval;
    const auto start = m_impl->learner->startingPoint(m_impl->meta);
    const auto& ref = start.front();
    auto x = m_impl->supportX.is_floating_point() ? m_impl->supportX.to(ref.device(), ref.scalar_type())
                                                  : m_impl->supportX.to(ref.device());
    auto y = m_impl->supportY.to(ref.device());
    double last = 0;
    torch::AutoGradMode gradMode(true);
    auto fast =
        m_impl->learner->adapt(start, x, y, s, /*createGraph=*/false, control, [&](int step, double loss) {
            last = loss;
            if (onStep)
                onStep(step, loss);
        });
    m_impl->fast.clear();
    for (auto& f : fast)
        m_impl->fast.push_back(f.detach());
    m_impl->steps = s;
    return last;
}

void ModelAdapter::exportTorchScript(const fs::path& out, ExportWeights which) const
{
    const auto& impl = *m_impl;
    TorchScriptExport e;
    e.model = impl.loaded.model.get();
    e.config = config();
    e.kind = exportKind();
    e.extras = [this](torch::jit::Module& m) { addExportExtras(m); };
    if (which == ExportWeights::Adapted) {
        if (impl.fast.empty())
            throw Error("nothing adapted yet", "export of the adapted model",
                        "Press Adapt / run adapt first, or export the meta-parameters (maml-cli export)");
        e.weights = impl.fast;
        e.classNames = impl.names;
        e.support = impl.supportX;
    } else {
        e.weights = impl.meta;
        for (int i = 1; i <= config().ways; ++i)
            e.classNames.push_back("class " + std::to_string(i));
    }
    maml::exportTorchScript(e, out);
}

std::vector<Prediction> ModelAdapter::predictTensors(const at::Tensor& x,
                                                     const std::vector<std::string>& items) const
{
    return m_impl->predict(x, items);
}

// --- images ---

ImageAdapter::ImageAdapter(const fs::path& checkpoint) : ImageAdapter(loadModel(checkpoint)) {}

ImageAdapter::ImageAdapter(LoadedModel&& loaded) : ModelAdapter(std::move(loaded))
{
    if (dataKindOf(config().dataset) != DataKind::Images)
        throw Error("the checkpoint is not an image model (" + modelOf(config()) + ")", "image adapter",
                    "Adapt it with sentences (maml-cli adapt --support-text, or the Adapt page's Text mode)");
}

std::string ImageAdapter::describe() const
{
    const auto& c = config();
    return std::to_string(c.ways) + "-way " + std::to_string(c.shots) + "-shot model of " + c.dataset + " (" +
           std::to_string(c.imageSize) + "x" + std::to_string(c.imageSize) + ", " +
           std::to_string(c.channels) + " channel(s))";
}

int ImageAdapter::channels() const
{
    return config().channels;
}
int ImageAdapter::imageSize() const
{
    return config().imageSize;
}

namespace {
torch::Tensor loadImages(const ExperimentConfig& c, const std::vector<fs::path>& files)
{
    std::vector<torch::Tensor> xs;
    for (const auto& f : files)
        xs.push_back(loadImageFile(f, c.channels, c.imageSize));
    return torch::stack(xs);
}
} // namespace

void ImageAdapter::setSupport(const std::vector<SupportClass>& classes)
{
    std::vector<fs::path> files;
    std::vector<int64_t> labels;
    std::vector<std::string> names;
    for (size_t c = 0; c < classes.size(); ++c) {
        if (classes[c].files.empty())
            throw Error("class '" + classes[c].name + "' has no support images", "adapter support set",
                        "Give at least one image per class");
        names.push_back(classes[c].name);
        for (const auto& f : classes[c].files) {
            files.push_back(f);
            labels.push_back(static_cast<int64_t>(c));
        }
    }
    setSupportTensors(loadImages(config(), files), torch::tensor(labels, torch::kInt64), names);
}

std::vector<Prediction> ImageAdapter::predict(const std::vector<fs::path>& files) const
{
    if (files.empty())
        return {};
    std::vector<std::string> items;
    for (const auto& f : files)
        items.push_back(f.string());
    return predictTensors(loadImages(config(), files), items);
}

void ImageAdapter::setSupportItems(const std::vector<ItemClass>& classes)
{
    std::vector<SupportClass> support;
    for (const auto& c : classes)
        support.push_back({c.name, {c.items.begin(), c.items.end()}});
    setSupport(support);
}

std::vector<Prediction> ImageAdapter::predictItems(const std::vector<std::string>& files) const
{
    return predict({files.begin(), files.end()});
}

// --- opening ---

void registerAdapterFactory(DataKind kind, AdapterFactory factory)
{
    factories().add(dataKindName(kind), std::move(factory));
}

std::unique_ptr<ModelAdapter> openAdapter(const fs::path& checkpoint)
{
    LoadedModel loaded = loadModel(checkpoint); // the checkpoint is read once, here
    const DataKind kind = dataKindOf(loaded.info.config.dataset);
    if (const auto factory = factories().find(dataKindName(kind)))
        return (*factory)(std::move(loaded));
    return std::make_unique<ImageAdapter>(std::move(loaded));
}

std::vector<SupportClass> supportFromFolder(const fs::path& dir)
{
    if (!fs::is_directory(dir))
        throw Error("no such folder", dir.string(), "Give a folder with one sub-folder of images per class");
    std::vector<SupportClass> classes;
    for (const auto& sub : listSubfolders(dir)) {
        SupportClass c{sub.filename().string(), listImageFiles(sub)};
        if (!c.files.empty())
            classes.push_back(std::move(c));
    }
    if (classes.empty())
        throw Error("no class folders with images", dir.string(),
                    "Put each class's images in its own sub-folder");
    return classes;
}

std::vector<ItemClass> itemClasses(const std::vector<SupportClass>& classes)
{
    std::vector<ItemClass> out;
    for (const auto& c : classes) {
        ItemClass item{c.name, {}};
        for (const auto& f : c.files)
            item.items.push_back(f.string());
        out.push_back(std::move(item));
    }
    return out;
}

std::vector<ItemClass> itemClasses(const std::vector<TextClass>& classes)
{
    std::vector<ItemClass> out;
    for (const auto& c : classes)
        out.push_back({c.name, c.sentences});
    return out;
}

} // namespace maml
