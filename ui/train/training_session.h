#pragma once
// Runs a maml::Trainer on a worker thread; progress reaches the GUI thread as throttled
// batches of plain values (maml::TrainProgress), never tensors.

#include "core/engine/config.h"
#include "core/engine/progress.h"
#include "ui/common/worker_thread.h"
#include "ui/train/run_history.h"

#include <QMutex>
#include <QObject>
#include <QTimer>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>

namespace maml {
class Trainer;
}

namespace maml::ui {

class TrainingSession final : public QObject {
    Q_OBJECT
public:
    explicit TrainingSession(QObject* parent = nullptr);
    /// Cancels a running training and waits for its thread (last.pt is written by the engine).
    ~TrainingSession() override;

    /// A new run of `config` in `runDir` (created by the engine).
    void start(const ExperimentConfig& config, const QString& runDir);
    /// Continues the run in `runDir`; `iterations` > 0 changes its total.
    void resumeRun(const QString& runDir, qint64 iterations = 0);
    void pause();
    void unpause();
    /// Asks the engine to stop after the current step; finished() follows.
    void stop();

    bool isRunning() const;
    bool isPaused() const { return m_control && m_control->pause.load(); }
    /// Time between two progress() signals, in milliseconds (default 250).
    void setThrottle(int ms);

Q_SIGNALS:
    void started(const QString& runDir, qint64 firstIteration, qint64 iterations);
    /// Every iteration since the last signal, in order (throttled; validations flush at once).
    void progress(const QVector<maml::TrainProgress>& points);
    void checkpointWritten(const QString& path, qint64 iteration);
    void finished(const QString& summary, bool cancelled);
    void failed(const QString& message);

private:
    class Observer;
    void launch(std::function<void()> body);
    void runTrainer(Trainer& trainer, const QString& runDir);
    void push(const TrainProgress& p, bool urgent);
    void requestDrain();
    void drain();

    std::shared_ptr<RunControl> m_control;
    std::atomic<bool> m_running{false}; ///< from launch() until the run's last signal is queued
    QMutex m_mutex;
    QVector<TrainProgress> m_pending;
    bool m_drainQueued = false;
    QTimer* m_drainTimer = nullptr; ///< GUI thread: collects pending points a few times a second
    WorkerThread m_worker{QStringLiteral("training"), QThread::LowPriority}; ///< last: stops first
};

} // namespace maml::ui
