// The checkpoint loader. Mode 0: the input is the whole .pt file (torch's zip reader included);
// mode 1: the input is the info record (config, iteration, ...) of an otherwise valid checkpoint
// of a small Conv-4, so the fuzzer spends its time on what we parse and validate.
#include "core/engine/checkpoint.h"
#include "core/engine/model_factory.h"
#include "core/util/error.h"
#include "fuzz_support.h"

#include <torch/torch.h>

using namespace maml;

namespace {
ExperimentConfig smallConfig()
{
    ExperimentConfig c;
    c.dataset = "glyphs";
    c.imageSize = 16;
    c.filters = 4;
    c.ways = 3;
    return c;
}

/// A checkpoint of smallConfig()'s model whose info record is `info`.
std::string checkpointWithInfo(std::string_view info)
{
    static const auto model = [] {
        torch::manual_seed(1);
        return makeModel(smallConfig());
    }();
    torch::serialize::OutputArchive archive;
    archive.write("maml_format", c10::IValue(std::string("maml-workbench-checkpoint-1")));
    archive.write("info", c10::IValue(std::string(info)));
    for (const auto& p : model->named_parameters())
        archive.write("param/" + p.key(), p.value().detach());
    for (const auto& b : model->named_buffers())
        archive.write("buffer/" + b.key(), b.value(), true);
    std::string bytes;
    archive.save_to([&](const void* data, size_t n) {
        bytes.append(static_cast<const char*>(data), n);
        return n;
    });
    return bytes;
}

/// Building the model is cheap only for small settings (the bounds themselves are tested
/// elsewhere); a text model without its vocabulary would open the corpus its spec names.
bool cheap(const ExperimentConfig& c)
{
    if (c.model == "conv4")
        return c.filters <= 64 && c.imageSize <= 64 && c.ways <= 64;
    try {
        return c.extra.contains("tokenizer") && c.extra.value("dModel", 256) <= 64 &&
               c.extra.value("ff", 512) <= 256 && c.extra.value("layers", 1) <= 2 &&
               c.extra.value("length", 128) <= 256;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    fuzz::clear();
    const auto file = fuzz::scratch() / "c.pt";
    fuzz::writeFile(file, data[0] % 2 == 0 ? std::string(input) : checkpointWithInfo(input));
    try {
        const auto info = readCheckpointInfo(file);
        fuzz::require(info.config.validate().empty(), "a checkpoint whose settings do not validate was read");
        if (cheap(info.config))
            loadModel(file);
    } catch (const Error&) {
    }
    return 0;
}
