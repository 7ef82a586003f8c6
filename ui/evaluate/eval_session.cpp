#include "ui/evaluate/eval_session.h"

#include <QMetaObject>

namespace maml::ui {

EvalSession::EvalSession(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<std::shared_ptr<const maml::EvalResult>>();
}

EvalSession::~EvalSession()
{
    stop();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

bool EvalSession::isRunning() const
{
    return m_thread && m_thread->isRunning();
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
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
    m_control = std::make_shared<RunControl>();
    auto control = m_control;
    m_thread = QThread::create([this, checkpoint, options, control] {
        QElapsedTimer sinceSignal;
        sinceSignal.start();
        auto onProgress = [this, &sinceSignal](const EvalProgress& p) {
            // A few signals per second are enough for a progress bar.
            if (sinceSignal.elapsed() < 150 && p.done < p.total)
                return;
            sinceSignal.restart();
            QMetaObject::invokeMethod(
                this, [this, p] { Q_EMIT progress(p.done, p.total, p.accuracy, p.baselineAccuracy); },
                Qt::QueuedConnection);
        };
        try {
            auto result = std::make_shared<const EvalResult>(
                evaluateCheckpoint(checkpoint.toStdString(), options, onProgress, control.get()));
            QMetaObject::invokeMethod(
                this, [this, result] { Q_EMIT finished(result); }, Qt::QueuedConnection);
        } catch (const std::exception& e) {
            const QString message = QString::fromUtf8(e.what());
            QMetaObject::invokeMethod(
                this, [this, message] { Q_EMIT failed(message); }, Qt::QueuedConnection);
        }
    });
    m_thread->setObjectName(QStringLiteral("evaluation"));
    m_thread->start(QThread::LowPriority);
}

} // namespace maml::ui
