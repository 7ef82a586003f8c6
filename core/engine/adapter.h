#pragma once
/// \file
/// Adapting a saved model to a user's own classes: load a checkpoint, give a support set
/// (image files per class name, or ready tensors), adapt for S steps, predict query items
/// with class probabilities, reset to the meta-parameters. No torch in this header.

#include "core/engine/config.h"
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

/// One class of a support set: its name and its example files.
struct SupportClass {
    std::string name;
    std::vector<std::filesystem::path> files;
};

/// The prediction for one query item.
struct Prediction {
    std::string item; ///< file path (or caller's label)
    int label = 0;    ///< index into classNames()
    std::string className;
    std::vector<double> probabilities; ///< one per support class, sums to 1
};

class Adapter {
public:
    /// Loads the checkpoint (maml::Error if missing / corrupt).
    explicit Adapter(const std::filesystem::path& checkpoint);
    ~Adapter();
    Adapter(Adapter&&) noexcept;
    Adapter& operator=(Adapter&&) noexcept;

    const ExperimentConfig& config() const;
    /// Image shape the model expects: channels, imageSize.
    int channels() const;
    int imageSize() const;

    /// Sets the support set from image files (decoded and resized to the model's shape).
    /// 2..config().ways classes, each with at least one file; else maml::Error.
    void setSupport(const std::vector<SupportClass>& classes);
    /// Sets the support set from ready inputs x ([n, ...] as the model takes) and labels y
    /// (int64 [n], values 0..names.size()-1), e.g. token ids from the text module.
    void setSupportTensors(const at::Tensor& x, const at::Tensor& y, const std::vector<std::string>& names);
    const std::vector<std::string>& classNames() const;

    /// Adapts for `steps` steps (-1: the config's innerStepsEval) from the meta-parameters,
    /// calling `onStep(step, supportLoss)` after each step. Returns the final support loss.
    double adapt(int steps = -1, const std::function<void(int, double)>& onStep = {},
                 RunControl* control = nullptr);
    /// Back to the meta-parameters (predict() then uses the un-adapted model).
    void reset();
    bool adapted() const;

    /// Class probabilities for image files / for ready inputs.
    std::vector<Prediction> predict(const std::vector<std::filesystem::path>& files) const;
    std::vector<Prediction> predictTensors(const at::Tensor& x, const std::vector<std::string>& items) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// A support set from a folder with one sub-folder of images per class (core/data/image_io.h
/// decodes the files).
std::vector<SupportClass> supportFromFolder(const std::filesystem::path& dir);

} // namespace maml
