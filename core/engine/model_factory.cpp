#include "core/engine/model_factory.h"

#include "core/engine/conv4.h"
#include "core/util/error.h"

#include "core/util/registry.h"

namespace maml {

namespace {
Registry<ModelFactory>& registry()
{
    static Registry<ModelFactory> r;
    return r;
}

torch::Device deviceOf(const ExperimentConfig& config)
{
    if (config.device == "cuda") {
        if (!torch::cuda::is_available())
            throw Error("device \"cuda\" was asked for but this LibTorch build sees no CUDA device",
                        "config device", "Use \"device\": \"cpu\"");
        return torch::Device(torch::kCUDA);
    }
    return torch::Device(torch::kCPU);
}
} // namespace

void registerConv4Model()
{
    registerModelFactory("conv4", [](const ExperimentConfig& c) -> std::shared_ptr<FunctionalModel> {
        Conv4Options o;
        o.channels = c.channels;
        o.imageSize = c.imageSize;
        o.filters = c.filters;
        o.ways = c.ways;
        o.batchStatistics = c.batchNorm == "batch";
        o.perStepBatchNorm = c.batchNorm == "per-step" ? c.innerStepsTrain : 0;
        return std::make_shared<Conv4>(o);
    });
}

void registerModelFactory(const std::string& name, ModelFactory factory)
{
    registry().add(name, std::move(factory));
}

std::vector<std::string> modelNames()
{
    return registry().names();
}

std::shared_ptr<FunctionalModel> makeModel(const ExperimentConfig& config)
{
    const auto factory = registry().find(config.model);
    if (!factory) {
        if (registry().empty())
            throw Error("no model is registered", "makeModel",
                        "The program must call maml::registerBuiltinModules() at start-up (core/modules.h)");
        std::string known;
        for (const auto& n : modelNames())
            known += (known.empty() ? "" : ", ") + n;
        throw Error("unknown model '" + config.model + "'", "config model", "Known models: " + known);
    }
    auto model = (*factory)(config);
    if (config.lslr)
        model->enableInnerLearningRates(config.innerStepsTrain, config.innerLr);
    model->to(deviceOf(config));
    return model;
}

} // namespace maml
