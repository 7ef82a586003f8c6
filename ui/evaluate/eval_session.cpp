#include "ui/evaluate/eval_session.h"

#include <QElapsedTimer>

namespace maml::ui {

EvalSession::EvalSession(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<std::shared_ptr<const maml::EvalResult>>();
}

EvalSession::~EvalSession()
{
    stop(); // m_worker's destructor then waits for the evaluation to return
}

bool EvalSession::isRunning() const
{
    return m_running;
}

void EvalSession::stop()
{
    if (m_control)
        m_control->cancel = true;
}

void EvalSession::start(const QString& checkpoint, const EvalOptions& options)
{
    if (isRunning())
        return;
    m_control = std::make_shared<RunControl>();
    m_running = true;
    auto control = m_control;
    m_worker.post([this, checkpoint, options, control] {
        QElapsedTimer sinceSignal;
        sinceSignal.start();
        auto onProgress = [this, &sinceSignal](const EvalProgress& p) {
            // A few signals per second are enough for a progress bar.
            if (sinceSignal.elapsed() < 150 && p.done < p.total)
                return;
            sinceSignal.restart();
            queueTo(this, [this, p] { Q_EMIT progress(p.done, p.total, p.accuracy, p.baselineAccuracy); });
        };
        try {
            auto result = std::make_shared<const EvalResult>(
                evaluateCheckpoint(checkpoint.toStdString(), options, onProgress, control.get()));
            m_running = false;
            queueTo(this, [this, result] { Q_EMIT finished(result); });
        } catch (const std::exception& e) {
            const QString message = QString::fromUtf8(e.what());
            m_running = false;
            queueTo(this, [this, message] { Q_EMIT failed(message); });
        }
    });
}

} // namespace maml::ui
