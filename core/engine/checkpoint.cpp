#include "core/engine/checkpoint.h"

#include "core/engine/model_factory.h"
#include "core/util/atomic_writer.h"
#include "core/util/error.h"
#include "core/util/json_limits.h"

#include <ATen/CPUGeneratorImpl.h>

namespace maml {

namespace {
namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kFormat = "maml-workbench-checkpoint-1";
/// The info record holds the config (a text model's vocabulary included): generous, but bounded.
const JsonLimits kInfoLimits{64, size_t(256) << 20};

json infoToJson(const CheckpointInfo& info)
{
    return {{"config", info.config.toJson()},
            {"iteration", info.iteration},
            {"best_val_accuracy", info.bestValAccuracy},
            {"best_iteration", info.bestIteration},
            {"extra", info.extra}};
}

CheckpointInfo infoFromJson(const json& j)
{
    CheckpointInfo info;
    info.config = ExperimentConfig::fromJson(j.at("config"));
    info.iteration = j.at("iteration").get<int64_t>();
    info.bestValAccuracy = j.value("best_val_accuracy", -1.0);
    info.bestIteration = j.value("best_iteration", int64_t{-1});
    info.extra = j.value("extra", json::object());
    if (!info.extra.is_object())
        throw Error("\"extra\" is not an object", "checkpoint info");
    if (info.iteration < 0 || info.iteration > ExperimentConfig::kMaxIterations)
        throw Error("the iteration " + std::to_string(info.iteration) + " is out of range",
                    "checkpoint info");
    return info;
}

Error unreadable(const fs::path& path, const std::string& why)
{
    return Error("cannot read the checkpoint: " + why, path.string(),
                 "The file is truncated or is not a MAML Workbench checkpoint (*.pt from `maml-cli train`)");
}

torch::serialize::InputArchive openArchive(const fs::path& path)
{
    if (!fs::is_regular_file(path))
        throw Error("no such checkpoint file", path.string(),
                    "Give the path of a .pt file in a run's checkpoints/ folder");
    torch::serialize::InputArchive archive;
    c10::IValue format;
    try {
        archive.load_from(path.string());
        if (!archive.try_read("maml_format", format))
            format = c10::IValue();
    } catch (const std::exception&) { // c10::Error, and what a damaged zip makes the reader throw
        throw unreadable(path, "it is not a readable archive");
    }
    if (!format.isString() || format.toStringRef() != kFormat)
        throw unreadable(path, "it has no MAML Workbench format tag");
    return archive;
}

CheckpointInfo readInfo(torch::serialize::InputArchive& archive, const fs::path& path)
{
    c10::IValue text;
    bool found = false;
    try {
        found = archive.try_read("info", text);
    } catch (const std::exception&) {
        throw unreadable(path, "the info record is damaged");
    }
    if (!found || !text.isString())
        throw unreadable(path, "the info record is missing");
    CheckpointInfo info;
    try {
        info = infoFromJson(parseJsonText(text.toStringRef(), path.string(), kInfoLimits));
    } catch (const Error& e) {
        throw unreadable(path, "the info record is damaged: " + e.problem());
    } catch (const json::exception& e) {
        throw unreadable(path, std::string("the info record is damaged: ") + e.what());
    }
    // The settings build the model and the episodes: a hand-edited value (filters 0, an image
    // size of 100000) must stop here, as it would stop `train`, not deep inside torch.
    const auto problems = info.config.validate();
    if (!problems.empty()) {
        std::string all;
        for (const auto& m : problems)
            all += (all.empty() ? "" : "; ") + m;
        throw Error("the checkpoint's stored settings are invalid: " + all, path.string(),
                    "The file was edited or damaged; use a checkpoint written by `maml-cli train`");
    }
    return info;
}

void readTensorInto(torch::serialize::InputArchive& archive, const std::string& key, torch::Tensor& target,
                    const fs::path& path)
{
    torch::Tensor stored;
    if (!archive.try_read(key, stored))
        throw unreadable(path, "tensor '" + key + "' is missing");
    if (stored.sizes() != target.sizes())
        throw Error("tensor '" + key + "' has shape " + c10::str(stored.sizes()) + " but the model expects " +
                        c10::str(target.sizes()),
                    path.string(), "The checkpoint belongs to a different model");
    torch::NoGradGuard noGrad;
    target.copy_(stored);
}
} // namespace

void saveCheckpoint(const fs::path& path, FunctionalModel& model, torch::optim::Optimizer* optimizer,
                    const CheckpointInfo& info)
{
    torch::serialize::OutputArchive archive;
    std::string infoText;
    try {
        infoText = infoToJson(info).dump();
    } catch (const json::exception& e) {
        throw Error(std::string("cannot store the run's settings: ") + e.what(), path.string(),
                    "A setting holds text that is not UTF-8; the previous checkpoint is unchanged");
    }
    archive.write("maml_format", c10::IValue(std::string(kFormat)));
    archive.write("info", c10::IValue(infoText));
    for (const auto& p : model.named_parameters())
        archive.write("param/" + p.key(), p.value().detach().cpu());
    for (const auto& b : model.named_buffers())
        archive.write("buffer/" + b.key(), b.value().cpu(), /*is_buffer=*/true);
    if (optimizer) {
        torch::serialize::OutputArchive opt;
        optimizer->save(opt);
        archive.write("optimizer", opt);
    }
    archive.write("rng", at::detail::getDefaultCPUGenerator().get_state(), /*is_buffer=*/true);
    // torch's writer throws from its destructor when a write fails (std::terminate while
    // unwinding): AtomicFileWriter never fails a write, it remembers the error for commit(),
    // which renames only a complete, fsynced file.
    AtomicFileWriter out(path);
    archive.save_to([&out](const void* data, size_t size) { return out.write(data, size); });
    out.commit();
}

CheckpointInfo readCheckpointInfo(const fs::path& path)
{
    auto archive = openArchive(path);
    return readInfo(archive, path);
}

namespace {
/// Reads the tensors (and, when asked, the optimizer and RNG state) of an open archive into
/// objects built from its info.
void loadState(torch::serialize::InputArchive& archive, const fs::path& path, FunctionalModel& model,
               torch::optim::Optimizer* optimizer, bool restoreRng)
{
    try {
        for (auto& p : model.named_parameters())
            readTensorInto(archive, "param/" + p.key(), p.value(), path);
        for (auto& b : model.named_buffers())
            readTensorInto(archive, "buffer/" + b.key(), b.value(), path);
        if (optimizer) {
            torch::serialize::InputArchive opt;
            if (!archive.try_read("optimizer", opt))
                throw unreadable(path, "the optimizer state is missing");
            optimizer->load(opt);
        }
        if (restoreRng) {
            torch::Tensor rng;
            if (!archive.try_read("rng", rng))
                throw unreadable(path, "the random generator state is missing");
            at::Generator gen = at::detail::getDefaultCPUGenerator(); // a handle to the shared generator
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_state(rng);
        }
    } catch (const c10::Error& e) {
        throw unreadable(path, std::string("a record is damaged (") + e.what_without_backtrace() + ")");
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw unreadable(path, std::string("a record is damaged (") + e.what() + ")");
    }
}
} // namespace

CheckpointInfo loadCheckpoint(const fs::path& path, FunctionalModel& model,
                              torch::optim::Optimizer* optimizer, bool restoreRng)
{
    auto archive = openArchive(path);
    auto info = readInfo(archive, path);
    loadState(archive, path, model, optimizer, restoreRng);
    return info;
}

LoadedModel loadModel(const fs::path& path)
{
    auto archive = openArchive(path); // opened once: its info says which model to build
    LoadedModel out;
    out.info = readInfo(archive, path);
    out.model = makeModel(out.info.config);
    loadState(archive, path, *out.model, nullptr, false);
    return out;
}

} // namespace maml
