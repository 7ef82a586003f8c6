#include "ui/train/train_page.h"

#include "core/util/error.h"
#include "core/util/run_lock.h"
#include "core/util/xdg_paths.h"
#include "ui/common/error_html.h"
#include "ui/common/log_bridge.h"
#include "ui/train/process_run.h"
#include "ui/train/run_estimate.h"
#include "ui/train/run_follower.h"
#include "ui/train/training_charts.h"
#include "ui/train/training_session.h"
#include "ui/workbench.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>

namespace maml::ui {
namespace {

/// A number with `decimals` decimals, or 4 significant digits when that would be long.
QString compact(double x, int decimals)
{
    return std::abs(x) < 1e6 ? QString::number(x, 'f', decimals) : QString::number(x, 'g', 4);
}

} // namespace

TrainPage::TrainPage(Workbench* workbench, QWidget* parent) : QWidget(parent), m_workbench(workbench)
{
    auto* title = new QLabel(tr("<h2>3. Train</h2>Meta-training runs in the background; the window "
                                "stays usable. A run folder can be opened later here or with "
                                "<tt>maml-cli resume</tt>."));
    title->setWordWrap(true);
    m_session = new TrainingSession(this);
    m_follower = new RunFollower(this);
    m_processes = new ProcessRun(this);
    m_runDir = new QLineEdit;
    m_runDir->setObjectName(QStringLiteral("runDir"));
    auto* browse = new QPushButton(tr("..."));
    m_start = new QPushButton(tr("Start training"));
    m_start->setObjectName(QStringLiteral("startButton"));
    m_start->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_pause = new QPushButton(tr("Pause"));
    m_stop = new QPushButton(tr("Stop"));
    m_continue = new QPushButton(tr("Continue run"));
    m_continue->setToolTip(tr("Resume the run in the folder above from its last checkpoint"));
    auto* open = new QPushButton(tr("Open run..."));
    auto* overlay = new QPushButton(tr("Overlay run..."));
    auto* clearOverlays = new QPushButton(tr("Clear overlays"));
    m_progress = new QProgressBar;
    m_progress->setFormat(tr("iteration %v of %m"));
    m_stats = new QLabel(tr("Not started."));
    m_stats->setObjectName(QStringLiteral("trainStats"));
    m_stats->setWordWrap(true); // a long error message wraps instead of widening the window
    m_charts = new TrainingCharts;
    m_log = new QPlainTextEdit;
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(3000);
    m_log->setPlaceholderText(tr("Log messages of the engine appear here."));

    auto* dirRow = new QHBoxLayout;
    dirRow->addWidget(new QLabel(tr("Run folder:")));
    dirRow->addWidget(m_runDir, 1);
    dirRow->addWidget(browse);
    auto* buttons = new QHBoxLayout;
    for (auto* b : {m_start, m_pause, m_stop, m_continue})
        buttons->addWidget(b);
    buttons->addStretch(1);
    for (auto* b : {open, overlay, clearOverlays})
        buttons->addWidget(b);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_charts);
    splitter->addWidget(m_log);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(dirRow);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_stats);
    layout->addWidget(splitter, 1);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder"), runDir());
        if (!dir.isEmpty())
            m_runDir->setText(dir);
    });
    connect(m_start, &QPushButton::clicked, this, &TrainPage::startTraining);
    connect(m_pause, &QPushButton::clicked, this, &TrainPage::togglePause);
    connect(m_stop, &QPushButton::clicked, this, &TrainPage::stopTraining);
    connect(m_continue, &QPushButton::clicked, this, &TrainPage::continueRun);
    connect(open, &QPushButton::clicked, this, &TrainPage::chooseRunToOpen);
    connect(overlay, &QPushButton::clicked, this, &TrainPage::chooseRunToOverlay);
    connect(clearOverlays, &QPushButton::clicked, m_charts, &TrainingCharts::clearOverlays);
    connect(m_session, &TrainingSession::started, this, &TrainPage::onStarted);
    connect(m_session, &TrainingSession::progress, this, [this](const QVector<TrainProgress>& points) {
        m_charts->append(points);
        onProgress();
    });
    connect(m_session, &TrainingSession::finished, this, &TrainPage::onFinished);
    connect(m_session, &TrainingSession::failed, this, &TrainPage::onFailed);
    connect(LogBridge::instance(), &LogBridge::message, this, &TrainPage::appendLog);
    connectFollowing();
    connect(workbench, &Workbench::experimentChanged, this, [this] {
        if (m_session->isRunning())
            return;
        m_runDir->setText(defaultRunDir());
        showPlan();
    });
    m_runDir->setText(defaultRunDir());
    showPlan();
    setRunning(false);
}

TrainPage::~TrainPage() = default;

QString TrainPage::runDir() const
{
    return m_runDir->text().trimmed();
}

void TrainPage::setRunDir(const QString& dir)
{
    m_runDir->setText(dir);
}

QString TrainPage::defaultRunDir() const
{
    // Not AppLocalDataLocation: that appends organisation and application name (the name twice).
    const QString base = QString::fromStdString(defaultRunsDir().string());
    QString name = QString::fromStdString(m_workbench->experiment().dataset).section(QLatin1Char(':'), 0, 0);
    name +=
        QStringLiteral("-%1w%2s-").arg(m_workbench->experiment().ways).arg(m_workbench->experiment().shots);
    return QDir(base).filePath(name +
                               QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
}

void TrainPage::showPlan()
{
    const auto& c = m_workbench->experiment();
    const double seconds = estimatedTrainingSeconds(c);
    m_stats->setText(tr("Not started. %1 %2-way %3-shot: %4 iterations of meta-batch %5%6.")
                         .arg(QString::fromStdString(c.dataset).toHtmlEscaped())
                         .arg(c.ways)
                         .arg(c.shots)
                         .arg(c.iterations)
                         .arg(c.metaBatch)
                         .arg(seconds > 0 ? tr(", about %1 on this machine (estimated from the settings)")
                                                .arg(formatDuration(seconds))
                                          : QString()));
}

bool TrainPage::confirmLongRun(const ExperimentConfig& config)
{
    const double seconds = estimatedTrainingSeconds(config);
    if (seconds <= kLongRunSeconds)
        return true;
    QMessageBox box(QMessageBox::Question, tr("A long training run"),
                    tr("This experiment would train for about %1 (%2 iterations of meta-batch %3, "
                       "estimated from its settings). Start it anyway?")
                        .arg(formatDuration(seconds))
                        .arg(config.iterations)
                        .arg(config.metaBatch),
                    QMessageBox::NoButton, this);
    box.setObjectName(QStringLiteral("longRunQuestion"));
    box.setInformativeText(tr("Fewer iterations, a smaller meta-batch or fewer filters shorten it; "
                              "the glyphs-5w1s preset trains in about a minute."));
    auto* start = box.addButton(tr("Start anyway"), QMessageBox::AcceptRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    return box.clickedButton() == start;
}

void TrainPage::startTraining()
{
    if (m_session->isRunning() || processesRunning())
        return;
    if (!confirmLongRun(m_workbench->experiment())) {
        m_stats->setText(tr("Not started: the run would take hours. Shorten it in the experiment "
                            "(Data > New experiment...) or start it anyway."));
        Q_EMIT statusMessage(tr("Training not started"));
        return;
    }
    const QString dir = runDir();
    if (QDir(dir).exists() && QFileInfo::exists(QDir(dir).filePath(QStringLiteral("config.json")))) {
        m_stats->setText(errorHtml(
            tr("%1 already holds a run: use \"Continue run\", or choose another folder.").arg(dir)));
        return;
    }
    RunHistory fresh;
    fresh.name = QDir(dir).dirName();
    fresh.dir = dir;
    fresh.iterations = m_workbench->experiment().iterations;
    m_charts->setCurrent(fresh);
    m_stats->setText(tr("Opening the data and building the model..."));
    if (m_workbench->experiment().processes > 1) {
        startProcesses(dir);
        return;
    }
    m_follower->stop();
    setRunning(true);
    m_session->start(m_workbench->experiment(), dir);
}

void TrainPage::continueRun()
{
    if (m_session->isRunning() || processesRunning())
        return;
    if (!openRun(runDir()))
        return;
    if (m_workbench->experiment().processes > 1) {
        continueProcesses(runDir());
        return;
    }
    m_follower->stop();
    setRunning(true);
    m_stats->setText(tr("Resuming from the last checkpoint..."));
    m_session->resumeRun(runDir());
}

void TrainPage::togglePause()
{
    if (!m_session->isRunning()) // runs of several processes cannot pause (docs/distributed.md)
        return;
    if (m_session->isPaused()) {
        m_session->unpause();
        m_pause->setText(tr("Pause"));
        Q_EMIT statusMessage(tr("Training resumed"));
    } else {
        m_session->pause();
        m_pause->setText(tr("Resume"));
        Q_EMIT statusMessage(tr("Training paused"));
    }
}

void TrainPage::stopTraining()
{
    if (processesRunning())
        m_processes->stop();
    else
        m_session->stop();
    m_stats->setText(tr("Stopping after the current step and saving the last checkpoint..."));
}

void TrainPage::onStarted(const QString& dir, qint64 first, qint64 total)
{
    m_progress->setRange(0, static_cast<int>(total));
    m_progress->setValue(static_cast<int>(first));
    m_workbench->setRunDir(dir);
    Q_EMIT statusMessage(tr("Training in %1").arg(dir));
}

QString TrainPage::lastValidationText(const RunHistory& run)
{
    if (run.validation.isEmpty())
        return {};
    const auto& v = run.validation.last();
    return tr("; validation %1% +- %2 at iteration %3")
        .arg(100 * v.valAccuracy, 0, 'f', 1)
        .arg(100 * v.valCi95, 0, 'f', 1)
        .arg(v.iteration);
}

void TrainPage::onProgress()
{
    const auto& run = m_charts->current();
    if (run.train.isEmpty())
        return;
    const auto& p = run.train.last();
    m_progress->setMaximum(static_cast<int>(p.iterations));
    m_progress->setValue(static_cast<int>(p.iteration));
    const QString val = lastValidationText(run);
    m_stats->setText(tr("loss %1, accuracy %2% - %3 it/s - ETA %4%5")
                         .arg(compact(p.trainLoss, 3), compact(100 * p.trainAccuracy, 1),
                              compact(p.itersPerSecond, 2), formatDuration(p.etaSeconds), val));
}

void TrainPage::onFinished(const QString& summary, bool cancelled)
{
    setRunning(false);
    m_stats->setText((cancelled ? tr("Stopped: ") : tr("Finished: ")) + summary);
    m_workbench->setRunDir(runDir());
    Q_EMIT statusMessage(cancelled ? tr("Training stopped") : tr("Training finished"));
    Q_EMIT trainingFinished(true);
}

void TrainPage::onFailed(const QString& message)
{
    setRunning(false);
    m_stats->setText(errorHtml(message));
    Q_EMIT statusMessage(tr("Training failed"));
    Q_EMIT trainingFinished(false);
}

void TrainPage::setRunning(bool running)
{
    m_start->setEnabled(!running);
    m_continue->setEnabled(!running);
    m_runDir->setEnabled(!running);
    m_pause->setEnabled(running);
    m_stop->setEnabled(running);
    m_pause->setText(tr("Pause"));
}

bool TrainPage::openRun(const QString& dir)
{
    try {
        if (m_session->isRunning())
            throw Error("a training runs in this window", dir.toStdString(), "Stop it first");
        m_follower->follow(dir);
        const auto history = m_follower->history();
        m_charts->setCurrent(history);
        m_runDir->setText(history.dir);
        m_workbench->setRunDir(history.dir);
        describeOpenedRun();
        if (history.train.isEmpty())
            m_stats->setText(tr("Run %1 has no metrics yet.").arg(history.dir));
        if (!history.configProblem.isEmpty())
            m_stats->setText(
                errorHtml(tr("The run's config.json cannot be read, so the experiment settings were "
                             "left as they were and this run cannot be continued until it is fixed: %1")
                              .arg(history.configProblem)));
        return true;
    } catch (const std::exception& e) {
        m_stats->setText(errorHtml(QString::fromUtf8(e.what())));
        return false;
    }
}

void TrainPage::describeOpenedRun()
{
    const auto& run = m_charts->current();
    const std::string holder = RunLock::holder(run.dir.toStdString());
    if (run.train.isEmpty())
        return;
    const auto& p = run.train.last();
    m_progress->setMaximum(static_cast<int>(p.iterations));
    m_progress->setValue(static_cast<int>(p.iteration));
    const QString val = lastValidationText(run);
    const QString where = tr("iteration %1 of %2: loss %3, accuracy %4%%5")
                              .arg(p.iteration)
                              .arg(p.iterations)
                              .arg(compact(p.trainLoss, 3), compact(100 * p.trainAccuracy, 1), val);
    if (!holder.empty())
        m_stats->setText(tr("Being trained by %1 - following it live: %2. Continue run works here once "
                            "that process ends.")
                             .arg(QString::fromStdString(holder), where));
    else
        m_stats->setText(tr("Opened, not training: %1.").arg(where));
}

bool TrainPage::overlayRun(const QString& dir)
{
    try {
        m_charts->addOverlay(RunHistory::load(dir));
        return true;
    } catch (const std::exception& e) {
        m_stats->setText(errorHtml(QString::fromUtf8(e.what())));
        return false;
    }
}

void TrainPage::chooseRunToOpen()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a run folder"), runDir());
    if (!dir.isEmpty())
        openRun(dir);
}

void TrainPage::chooseRunToOverlay()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Overlay a run folder"), runDir());
    if (!dir.isEmpty())
        overlayRun(dir);
}

void TrainPage::appendLog(int level, const QString& text)
{
    m_log->appendPlainText(text);
}

} // namespace maml::ui
