#pragma once
// Runs maml::evaluateCheckpoint on a worker thread with throttled progress and cancel.

#include "core/engine/evaluator.h"

#include <QElapsedTimer>
#include <QObject>
#include <QThread>

#include <memory>

namespace maml::ui {

class EvalSession final : public QObject {
    Q_OBJECT
public:
    explicit EvalSession(QObject* parent = nullptr);
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
    QThread* m_thread = nullptr;
    std::shared_ptr<RunControl> m_control;
};

} // namespace maml::ui
