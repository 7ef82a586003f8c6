#pragma once
/// \file
/// Adapting a saved model to a user's own classes, for every kind of model: openAdapter() opens
/// a checkpoint as the adapter of its kind (images or text, decided in core: see data_kind.h);
/// give a support set, adapt for S steps, predict query items with class probabilities, reset
/// to the meta-parameters. The GUI and `maml-cli adapt` use only this interface. No torch here.

#include "core/engine/config.h"
#include "core/engine/data_kind.h"
#include "core/engine/progress.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace at {
class Tensor;
}

namespace maml {

struct LoadedModel;

/// One class of an image support set: its name and its example files.
struct SupportClass {
    std::string name;
    std::vector<std::filesystem::path> files;
};

/// One class of a text support set: its name and its example sentences.
struct TextClass {
    std::string name;
    std::vector<std::string> sentences;
};

/// One class of a support set of either kind, as the GUI and the CLI hold it: a name and
/// items that are image file paths for an image model, sentences for a text model.
struct ItemClass {
    std::string name;
    std::vector<std::string> items;
};

/// The prediction for one query item.
struct Prediction {
    std::string item; ///< file path, sentence (or caller's label)
    int label = 0;    ///< index into classNames()
    std::string className;
    std::vector<double> probabilities; ///< one per support class, sums to 1
};

using StepCallback = std::function<void(int step, double supportLoss)>;

/// A loaded model being adapted. Made by openAdapter(); ImageAdapter and TextAdapter
/// (core/text/text_adapter.h) are the two kinds.
class ModelAdapter {
public:
    virtual ~ModelAdapter();
    ModelAdapter(const ModelAdapter&) = delete;
    ModelAdapter& operator=(const ModelAdapter&) = delete;

    /// What the model reads, i.e. what setSupportItems() and predictItems() take.
    virtual DataKind kind() const = 0;
    const ExperimentConfig& config() const;
    /// One line for people, e.g. "5-way 1-shot model of glyphs (28x28, 1 channel(s))".
    virtual std::string describe() const = 0;
    /// The label names of the data the model was trained on, when that data is on this machine
    /// and has named labels (a text corpus: e.g. negative, positive); else empty.
    virtual std::vector<std::string> dataLabels() const { return {}; }

    /// Sets the support set from items of the model's kind (image files or sentences):
    /// 2..config().ways classes, each with at least one item; else maml::Error.
    virtual void setSupportItems(const std::vector<ItemClass>& classes) = 0;
    /// Class probabilities for query items of the model's kind (Prediction::item is the item).
    virtual std::vector<Prediction> predictItems(const std::vector<std::string>& items) const = 0;

    /// Sets the support set from ready inputs x ([n, ...] as the model takes) and labels y
    /// (int64 [n], values 0..names.size()-1).
    void setSupportTensors(const at::Tensor& x, const at::Tensor& y, const std::vector<std::string>& names);
    /// Class probabilities for ready inputs.
    std::vector<Prediction> predictTensors(const at::Tensor& x, const std::vector<std::string>& items) const;
    const std::vector<std::string>& classNames() const;

    /// Adapts for `steps` steps (-1: the config's innerStepsEval) from the meta-parameters,
    /// calling `onStep(step, supportLoss)` after each step. Returns the final support loss.
    double adapt(int steps = -1, const StepCallback& onStep = {}, RunControl* control = nullptr);
    /// Back to the meta-parameters (predictions then use the un-adapted model).
    void reset();
    bool adapted() const;

protected:
    explicit ModelAdapter(LoadedModel&& loaded);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// An image model (Conv-4): support and query items are image files, decoded and resized to
/// the model's shape.
class ImageAdapter final : public ModelAdapter {
public:
    /// Loads the checkpoint (maml::Error if missing, corrupt or not an image model).
    explicit ImageAdapter(const std::filesystem::path& checkpoint);
    explicit ImageAdapter(LoadedModel&& loaded);

    DataKind kind() const override { return DataKind::Images; }
    std::string describe() const override;
    /// Image shape the model expects: channels, imageSize.
    int channels() const;
    int imageSize() const;

    /// 2..config().ways classes, each with at least one file; else maml::Error.
    void setSupport(const std::vector<SupportClass>& classes);
    std::vector<Prediction> predict(const std::vector<std::filesystem::path>& files) const;
    void setSupportItems(const std::vector<ItemClass>& classes) override;
    std::vector<Prediction> predictItems(const std::vector<std::string>& files) const override;
};

/// Opens `checkpoint` (once) as the adapter of its kind: an ImageAdapter for an image model, a
/// TextAdapter for a text model. maml::Error if the file is missing or damaged.
std::unique_ptr<ModelAdapter> openAdapter(const std::filesystem::path& checkpoint);

/// How a module's models are adapted: the text module registers its TextAdapter for
/// DataKind::Text (images are built in).
using AdapterFactory = std::function<std::unique_ptr<ModelAdapter>(LoadedModel&&)>;
void registerAdapterFactory(DataKind kind, AdapterFactory factory);

/// A support set from a folder with one sub-folder of images per class (core/data/image_io.h
/// decodes the files).
std::vector<SupportClass> supportFromFolder(const std::filesystem::path& dir);
/// The same classes as items (file paths), for ModelAdapter::setSupportItems.
std::vector<ItemClass> itemClasses(const std::vector<SupportClass>& classes);
std::vector<ItemClass> itemClasses(const std::vector<TextClass>& classes);

} // namespace maml
