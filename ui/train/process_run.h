#pragma once
// A training run of several local processes: `maml-cli train|resume --nproc N` in a QProcess.
// Its progress is read from the run folder (RunFollower); this class only starts, stops and
// reports how the processes ended.

#include "core/engine/config.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

class QProcess;

namespace maml::ui {

class ProcessRun final : public QObject {
    Q_OBJECT
public:
    explicit ProcessRun(QObject* parent = nullptr);
    /// Stops a run still going (as stop(), then kills it after a grace period).
    ~ProcessRun() override;

    /// `maml-cli train --nproc config.processes --config <a copy of config> --run-dir runDir`.
    bool start(const ExperimentConfig& config, const QString& runDir, QString* error);
    /// `maml-cli resume --run-dir runDir --nproc processes`.
    bool resume(const QString& runDir, int processes, int threads, QString* error);
    /// Ctrl-C for the launcher: every rank finishes its iteration, rank 0 saves, all stop.
    void stop();
    bool isRunning() const;

    /// maml-cli beside this program, else on PATH; empty when there is none.
    static QString cliPath();

Q_SIGNALS:
    /// The launcher ended: exit code 0 finished, 130 stopped, else `errors` says why.
    void finished(int exitCode, const QString& errors);

private:
    bool launch(const QStringList& args, QString* error);

    QProcess* m_process = nullptr;
    std::unique_ptr<QTemporaryDir> m_configDir;
    QString m_errors; ///< the launcher's and the ranks' error lines
};

} // namespace maml::ui
