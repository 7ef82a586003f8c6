#include "ui/train/training_session.h"

#include "core/engine/trainer.h"
#include "core/util/error.h"

#include <QMetaObject>
#include <QMutexLocker>

namespace maml::ui {

/// Called on the training thread: copies values and returns at once.
class TrainingSession::Observer final : public TrainObserver {
public:
    explicit Observer(TrainingSession* session) : m_session(session) {}
    void onIteration(const TrainProgress& p) override
    {
        // A validation arrives separately through onValidation with the same values.
        TrainProgress train = p;
        train.hasValidation = false;
        m_session->push(train, false);
    }
    void onValidation(const TrainProgress& p) override { m_session->push(p, true); }
    void onCheckpoint(const std::string& path, int64_t iteration) override
    {
        const QString file = QString::fromStdString(path);
        queueTo(m_session,
                [s = m_session, file, iteration] { Q_EMIT s->checkpointWritten(file, iteration); });
    }

private:
    TrainingSession* m_session;
};

TrainingSession::TrainingSession(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<maml::TrainProgress>();
    qRegisterMetaType<QVector<maml::TrainProgress>>();
    m_drainTimer = new QTimer(this);
    m_drainTimer->setInterval(250);
    connect(m_drainTimer, &QTimer::timeout, this, &TrainingSession::drain);
}

void TrainingSession::setThrottle(int ms)
{
    m_drainTimer->setInterval(ms);
}

TrainingSession::~TrainingSession()
{
    if (m_control)
        m_control->cancel = true;
    // m_worker's destructor then waits for the run to save and return.
}

bool TrainingSession::isRunning() const
{
    return m_running;
}

void TrainingSession::pause()
{
    if (m_control)
        m_control->pause = true;
}

void TrainingSession::unpause()
{
    if (m_control)
        m_control->pause = false;
}

void TrainingSession::stop()
{
    if (m_control) {
        m_control->pause = false;
        m_control->cancel = true;
    }
}

void TrainingSession::start(const ExperimentConfig& config, const QString& runDir)
{
    launch([this, config, runDir] {
        auto trainer = Trainer::startRun(config, runDir.toStdString());
        runTrainer(trainer, runDir);
    });
}

void TrainingSession::resumeRun(const QString& runDir, qint64 iterations)
{
    launch([this, runDir, iterations] {
        auto trainer = Trainer::resumeRun(runDir.toStdString(), iterations);
        runTrainer(trainer, runDir);
    });
}

void TrainingSession::runTrainer(Trainer& trainer, const QString& runDir)
{
    const qint64 first = trainer.startIteration();
    const qint64 total = trainer.config().iterations;
    queueTo(this, [this, runDir, first, total] { Q_EMIT started(runDir, first, total); });
    Observer observer(this);
    const TrainSummary summary = trainer.run(&observer, m_control.get());
    requestDrain(); // queued before finished(), so the last points arrive first
    const QString best = summary.bestValAccuracy < 0 ? tr("no validation yet")
                                                     : tr("best validation accuracy %1% +- %2 (iteration %3)")
                                                           .arg(100 * summary.bestValAccuracy, 0, 'f', 1)
                                                           .arg(100 * summary.bestValCi95, 0, 'f', 1)
                                                           .arg(summary.bestIteration);
    const QString text = tr("%1 of %2 iterations, %3 s in this session; %4")
                             .arg(summary.iterationsDone)
                             .arg(summary.iterations)
                             .arg(summary.seconds, 0, 'f', 1)
                             .arg(best);
    const bool cancelled = summary.cancelled;
    m_running = false;
    queueTo(this, [this, text, cancelled] { Q_EMIT finished(text, cancelled); });
}

void TrainingSession::launch(std::function<void()> body)
{
    if (isRunning())
        return;
    m_control = std::make_shared<RunControl>();
    m_running = true;
    m_drainTimer->start();
    m_worker.post([this, body] {
        try {
            body();
        } catch (const std::exception& e) {
            requestDrain();
            const QString message = QString::fromUtf8(e.what());
            m_running = false;
            queueTo(this, [this, message] { Q_EMIT failed(message); });
        }
    });
}

void TrainingSession::push(const TrainProgress& p, bool urgent)
{
    {
        QMutexLocker lock(&m_mutex);
        m_pending.append(p);
    }
    if (urgent)
        requestDrain();
}

void TrainingSession::requestDrain()
{
    QMutexLocker lock(&m_mutex);
    if (m_drainQueued)
        return;
    m_drainQueued = true;
    QMetaObject::invokeMethod(this, &TrainingSession::drain, Qt::QueuedConnection);
}

void TrainingSession::drain()
{
    QVector<TrainProgress> points;
    {
        QMutexLocker lock(&m_mutex);
        points.swap(m_pending);
        m_drainQueued = false;
    }
    if (!isRunning() && points.isEmpty())
        m_drainTimer->stop();
    if (!points.isEmpty())
        Q_EMIT progress(points);
}

} // namespace maml::ui
