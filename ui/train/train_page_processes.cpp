// TrainPage: runs of several local processes (maml-cli --nproc, in a QProcess) and following a
// run folder that another process or machine writes.
#include "ui/train/process_run.h"
#include "ui/train/run_follower.h"
#include "ui/train/train_page.h"
#include "ui/train/training_charts.h"
#include "ui/train/training_session.h"
#include "ui/workbench.h"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>

#include <algorithm>

namespace maml::ui {

void TrainPage::connectFollowing()
{
    // Written by another process: the speed and ETA from the file, and where it is, as
    // describeOpenedRun says.
    const auto followed = [this] {
        onProgress();
        const auto& run = m_charts->current();
        if (!m_session->isRunning() && !run.train.isEmpty())
            m_stats->setText(tr("iteration %1 of %2 - %3")
                                 .arg(run.train.last().iteration)
                                 .arg(run.train.last().iterations)
                                 .arg(m_stats->text()));
    };
    connect(m_follower, &RunFollower::points, this, [this, followed](const QVector<TrainProgress>& points) {
        m_charts->append(points);
        followed();
    });
    connect(m_follower, &RunFollower::reset, this, [this, followed](const RunHistory& history) {
        m_charts->setCurrent(history);
        followed();
    });
    connect(m_follower, &RunFollower::logLines, this, [this](const QStringList& lines) {
        for (const auto& line : lines)
            m_log->appendPlainText(line);
    });
    connect(m_processes, &ProcessRun::finished, this, &TrainPage::onProcessesFinished);
}

bool TrainPage::processesRunning() const
{
    return m_processes->isRunning();
}

QString TrainPage::statsText() const
{
    return m_stats->text();
}

void TrainPage::startProcesses(const QString& dir)
{
    const auto& config = m_workbench->experiment();
    QString error;
    if (!m_processes->start(config, dir, &error)) {
        onFailed(error);
        return;
    }
    setRunning(true);
    m_pause->setEnabled(false);
    m_stats->setText(tr("Starting %1 training processes (maml-cli --nproc %1)...").arg(config.processes));
    // The folder appears once rank 0 has opened the data: follow it from then on.
    auto* wait = new QTimer(this);
    connect(wait, &QTimer::timeout, this, [this, wait, dir] {
        if (!m_processes->isRunning() ||
            QFileInfo::exists(QDir(dir).filePath(QStringLiteral("config.json")))) {
            wait->deleteLater();
            if (m_processes->isRunning())
                openRun(dir);
        }
    });
    wait->start(300);
}

void TrainPage::continueProcesses(const QString& dir)
{
    const auto& config = m_workbench->experiment();
    QString error;
    if (!m_processes->resume(dir, config.processes, config.threads, &error)) {
        onFailed(error);
        return;
    }
    setRunning(true);
    m_pause->setEnabled(false);
    m_stats->setText(tr("Resuming on %1 processes...").arg(config.processes));
}

void TrainPage::onProcessesFinished(int exitCode, const QString& errors)
{
    m_follower->poll(); // the last lines
    if (exitCode == 0 || exitCode == 130) {
        const auto& run = m_charts->current();
        QString summary = tr("iteration %1 of %2 on %3 processes")
                              .arg(run.train.isEmpty() ? 0 : run.train.last().iteration)
                              .arg(run.iterations)
                              .arg(m_workbench->experiment().processes);
        double best = -1;
        for (const auto& v : run.validation)
            best = std::max(best, v.valAccuracy);
        if (best >= 0)
            summary += tr(", best validation accuracy %1%").arg(100 * best, 0, 'f', 1);
        onFinished(summary, exitCode == 130);
        return;
    }
    onFailed(errors.isEmpty() ? tr("maml-cli ended with exit code %1").arg(exitCode) : errors);
}

} // namespace maml::ui
