#pragma once
// Runs maml::evaluateCheckpoint on a worker thread with throttled progress and cancel.

#include "core/engine/evaluator.h"
#include "ui/common/worker_thread.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace maml::ui {

class EvalSession final : public QObject {
    Q_OBJECT
public:
    explicit EvalSession(QObject* parent = nullptr);
    /// Stops a running evaluation and waits for its thread.
    ~EvalSession() override;

    void start(const QString& checkpoint, const EvalOptions& options);
    void stop();
    bool isRunning() const;

Q_SIGNALS:
    void progress(int done, int total, double accuracy, double baselineAccuracy);
    /// The result (also when stopped early: result->cancelled).
    void finished(std::shared_ptr<const maml::EvalResult> result);
    void failed(const QString& message);

private:
    std::shared_ptr<RunControl> m_control;
    std::atomic<bool> m_running{false}; ///< from start() until the result is queued
    WorkerThread m_worker{QStringLiteral("evaluation"), QThread::LowPriority}; ///< last: stops first
};

} // namespace maml::ui
