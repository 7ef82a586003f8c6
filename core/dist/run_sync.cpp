#include "core/dist/run_sync.h"

#include "core/dist/collective.h"
#include "core/util/error.h"

#include <spdlog/spdlog.h>

namespace maml {

namespace {
constexpr const char* kConfigKey = "maml/config";
constexpr const char* kStartKey = "maml/state/start";
} // namespace

RunSync::RunSync(std::shared_ptr<Collective> collective) : m_collective(std::move(collective)) {}

bool RunSync::isRankZero() const
{
    return m_collective->rank() == 0;
}

void RunSync::checkConfig(const ExperimentConfig& c) const
{
    if (c.batchNorm == "running")
        throw Error(
            "batch_norm \"running\" cannot be split over processes: each task's forward pass updates the "
            "running statistics, one task after another",
            "distributed run", "Use batch_norm \"batch\" (MAML's setting), or one process");
    if (c.device != "cpu")
        throw Error("distributed runs are CPU-only, the config asks for device \"" + c.device + "\"",
                    "distributed run", "Set device to \"cpu\"");
    const int world = m_collective->worldSize();
    if (c.metaBatch < world)
        spdlog::warn("{} processes share meta-batches of {} tasks: {} of them have no task and only wait",
                     world, c.metaBatch, world - c.metaBatch);
}

void RunSync::publishConfig(const ExperimentConfig& config)
{
    m_collective->publish(kConfigKey, config.toJson().dump());
}

ExperimentConfig RunSync::fetchConfig(double timeoutSeconds)
{
    m_collective->setStep("start-up (waiting for rank 0's config)");
    auto config =
        ExperimentConfig::fromJson(nlohmann::json::parse(m_collective->fetch(kConfigKey, timeoutSeconds)));
    config.validateOrThrow("rank 0's config");
    return config;
}

void RunSync::publishStart(FunctionalModel& model, torch::optim::Optimizer& optimizer,
                           const CheckpointInfo& info)
{
    publishState(*m_collective, kStartKey, model, &optimizer, info);
}

CheckpointInfo RunSync::receiveStart(FunctionalModel& model, torch::optim::Optimizer& optimizer,
                                     double timeoutSeconds)
{
    m_collective->setStep("start-up (waiting for rank 0's state)");
    return receiveState(*m_collective, kStartKey, model, &optimizer, timeoutSeconds).info;
}

void RunSync::agreeOnState(int64_t iteration, FunctionalModel& model, torch::optim::Optimizer& optimizer,
                           const CheckpointInfo& info)
{
    const std::string key = "maml/state/" + std::to_string(iteration);
    m_collective->setStep("sharing the state of iteration " + std::to_string(iteration));
    if (isRankZero()) {
        publishState(*m_collective, key, model, &optimizer, info);
        if (!m_lastStateKey.empty()) // every rank read it before the all-reduces since
            m_collective->remove(m_lastStateKey);
        m_lastStateKey = key;
        return;
    }
    const auto got = receiveState(*m_collective, key, model, &optimizer, m_collective->timeoutSeconds());
    if (got.maxDifference > 0)
        spdlog::warn(
            "rank {}: its parameters differed from rank 0's by up to {:.3g} at iteration {} (another CPU "
            "or thread count rounds differently); it continues from rank 0's",
            m_collective->rank(), got.maxDifference, iteration);
}

} // namespace maml
