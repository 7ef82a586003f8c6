#include "bench/lib/reference_case.h"

#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <map>

namespace maml::bench {

namespace {
std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open file", path, "Run `reference_maml.py export --out PREFIX` first");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

torch::Tensor tensorAt(const std::string& blob, const nlohmann::json& entry, const std::string& where)
{
    const auto dtype = entry.at("dtype").get<std::string>() == "int64" ? torch::kInt64 : torch::kFloat32;
    const auto shape = entry.at("shape").get<std::vector<int64_t>>();
    const auto offset = entry.at("offset").get<size_t>();
    auto t = torch::empty(shape, dtype);
    const size_t bytes = t.numel() * t.element_size();
    if (offset + bytes > blob.size())
        throw Error("tensor '" + entry.at("name").get<std::string>() + "' lies beyond the end of the data",
                    where, "The file is truncated; export it again");
    std::memcpy(t.data_ptr(), blob.data() + offset, bytes);
    return t;
}

MamlSettings settingsOf(const nlohmann::json& m)
{
    MamlSettings s;
    s.ways = m.at("ways");
    s.shots = m.at("shots");
    s.queries = m.at("queries");
    s.metaBatch = m.at("meta_batch");
    s.steps = m.at("steps");
    s.innerLr = m.at("inner_lr");
    s.firstOrder = m.at("first_order");
    s.filters = m.at("filters");
    s.channels = m.at("channels");
    s.size = m.at("size");
    s.lslr = m.value("lslr", false);
    s.perStepBn = m.value("per_step_bn", false);
    s.multiStepLoss = m.value("multi_step_loss", false);
    s.mslIterations = m.value("msl_iterations", int64_t{1000});
    s.firstOrderIterations = m.value("first_order_iterations", int64_t{0});
    s.cosineMetaLr = m.value("cosine_meta_lr", false);
    s.metaLrMin = m.value("meta_lr_min", 1e-5);
    s.runIterations = m.value("run_iterations", int64_t{1000});
    s.iteration = m.value("iteration", int64_t{0});
    return s;
}
} // namespace

ReferenceCase loadReferenceCase(const std::string& prefix)
{
    const auto manifest = nlohmann::json::parse(readAll(prefix + ".json"));
    const std::string blob = readAll(prefix + ".bin");
    std::map<std::string, torch::Tensor> t;
    for (const auto& entry : manifest.at("tensors"))
        t[entry.at("name").get<std::string>()] = tensorAt(blob, entry, prefix + ".bin");
    auto get = [&](const std::string& name) {
        auto it = t.find(name);
        if (it == t.end())
            throw Error("tensor '" + name + "' is missing", prefix + ".json", "Export the case again");
        return it->second;
    };
    ReferenceCase c;
    c.settings = settingsOf(manifest);
    c.loss = manifest.at("loss");
    const int nParams = manifest.at("params");
    for (int i = 0; i < nParams; ++i) {
        c.params.push_back(get("param" + std::to_string(i)));
        c.grads.push_back(get("grad" + std::to_string(i)));
    }
    c.metaLr = manifest.value("meta_lr", 1e-3);
    c.firstOrderUsed = manifest.value("first_order_used", c.settings.firstOrder);
    c.stepLossWeights = manifest.value("step_loss_weights", std::vector<double>{});
    if (c.settings.perStepBn)
        for (int b = 0; b < 4; ++b) {
            c.runningMeans.push_back(get("rm" + std::to_string(b)));
            c.runningVars.push_back(get("rv" + std::to_string(b)));
        }
    for (int i = 0; i < c.settings.metaBatch; ++i) {
        Episode e;
        const auto k = std::to_string(i);
        e.supportX = get("sx" + k);
        e.supportY = get("sy" + k);
        e.queryX = get("qx" + k);
        e.queryY = get("qy" + k);
        e.classes.resize(c.settings.ways);
        c.episodes.push_back(std::move(e));
    }
    return c;
}

} // namespace maml::bench
