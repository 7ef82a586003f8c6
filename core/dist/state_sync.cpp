#include "core/dist/state_sync.h"

#include "core/dist/collective.h"
#include "core/util/atomic_file.h"

#include <unistd.h>

#include <fstream>

namespace maml {

namespace fs = std::filesystem;

namespace {
/// A temporary checkpoint file of this process, removed with the object.
struct TempCheckpoint {
    fs::path path;
    TempCheckpoint()
        : path(fs::temp_directory_path() /
               ("maml-state-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++) + ".pt"))
    {
    }
    ~TempCheckpoint()
    {
        std::error_code ec;
        fs::remove(path, ec);
    }
    static int& counter()
    {
        static int n = 0;
        return n;
    }
};

void writeBytes(const fs::path& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out)
        throw Error("cannot write a temporary file", path.string(),
                    "Check the space in the temporary folder");
}
} // namespace

void publishState(Collective& collective, const std::string& key, FunctionalModel& model,
                  torch::optim::Optimizer* optimizer, const CheckpointInfo& info)
{
    TempCheckpoint tmp;
    saveCheckpoint(tmp.path, model, optimizer, info);
    collective.publish(key, readFile(tmp.path));
}

ReceivedState receiveState(Collective& collective, const std::string& key, FunctionalModel& model,
                           torch::optim::Optimizer* optimizer, double timeoutSeconds)
{
    TempCheckpoint tmp;
    writeBytes(tmp.path, collective.fetch(key, timeoutSeconds));
    std::vector<torch::Tensor> before;
    for (const auto& p : model.parameters())
        before.push_back(p.detach().clone());
    ReceivedState out;
    out.info = loadCheckpoint(tmp.path, model, optimizer, /*restoreRng=*/true);
    const auto after = model.parameters();
    for (size_t i = 0; i < before.size(); ++i)
        out.maxDifference =
            std::max(out.maxDifference, (after[i].detach() - before[i]).abs().max().item<double>());
    return out;
}

} // namespace maml
