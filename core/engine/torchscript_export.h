#pragma once
/// \file
/// A model written as a TorchScript module that anyone can load without the workbench
/// (`torch.jit.load(FILE)` in Python, `torch::jit::load` in C++). `forward(x)` returns class
/// probabilities [n, classes]; what the input means is stored in attributes of the module:
///   kind ("image" or "text"), class_names, and for images image_size, channels and
///   value_range ("[0, 1]": float pixels divided by 255, no mean/std normalisation), for text
///   sequence_length and the tokenizer's vocabulary (and a `tokenize` method, from extras).
/// With BatchNorm on batch statistics (MAML's transductive mode) the adapted support inputs
/// are stored in the module (`support`) and scored together with every batch, exactly as the
/// workbench scores queries.

#include "core/engine/config.h"
#include "core/engine/functional_model.h"

#include <torch/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace torch::jit {
struct Module;
}

namespace maml {

struct TorchScriptExport {
    const FunctionalModel* model = nullptr;
    std::vector<torch::Tensor> weights;  ///< model->metaParameters() order: adapted or meta
    ExperimentConfig config;             ///< the checkpoint's (image size, channels, ...)
    std::vector<std::string> classNames; ///< one per output used (<= config.ways)
    torch::Tensor support;               ///< inputs scored with every batch, or undefined
    std::string kind = "image";          ///< "image" or "text"
    /// Adds module-specific attributes and methods (the text module's vocabulary, tokenize).
    std::function<void(torch::jit::Module&)> extras;
};

/// Builds the module and writes it to `out` (temporary name, then rename). Throws maml::Error
/// for an incomplete request or a file that cannot be written.
void exportTorchScript(const TorchScriptExport& request, const std::filesystem::path& out);

} // namespace maml
