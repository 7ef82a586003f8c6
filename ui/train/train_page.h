#pragma once
// Page 3: the training dashboard - start / pause / resume / stop, live charts, ETA, log.

#include "core/engine/config.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace maml::ui {

class ProcessRun;
class RunFollower;
struct RunHistory;
class TrainingCharts;
class TrainingSession;
class Workbench;

class TrainPage final : public QWidget {
    Q_OBJECT
public:
    explicit TrainPage(Workbench* workbench, QWidget* parent = nullptr);
    ~TrainPage() override;

    TrainingCharts* charts() const { return m_charts; }
    TrainingSession* session() const { return m_session; }
    /// Reads the run folder the page shows while another process writes it.
    RunFollower* follower() const { return m_follower; }
    QString statsText() const;
    QString runDir() const;
    void setRunDir(const QString& dir);
    /// True when `config` may start: at once if its estimated time (run_estimate.h) is within
    /// kLongRunSeconds, else after a "Start anyway" in a question box (object name
    /// "longRunQuestion").
    bool confirmLongRun(const ExperimentConfig& config);

public Q_SLOTS:
    void startTraining();
    void togglePause();
    void stopTraining();
    void continueRun();
    /// Shows the curves of an existing run (from the CLI, a cluster or an earlier session) and
    /// follows it live: charts, ETA and log update as its metrics.jsonl grows.
    bool openRun(const QString& dir);
    bool overlayRun(const QString& dir);
    void chooseRunToOpen();
    void chooseRunToOverlay();

Q_SIGNALS:
    void trainingFinished(bool ok);
    void statusMessage(const QString& text);

private:
    void onStarted(const QString& dir, qint64 first, qint64 total);
    void onProgress();
    void onFinished(const QString& summary, bool cancelled);
    void onFailed(const QString& message);
    void setRunning(bool running);
    /// After openRun: says what the opened run is (no ETA: it is not training here) and, when
    /// another process trains it, re-reads its metrics every few seconds (follows it).
    void describeOpenedRun();
    /// "; validation X% +- Y at iteration N" for the run's last validation, or empty.
    static QString lastValidationText(const RunHistory& run);
    void appendLog(int level, const QString& text);
    QString defaultRunDir() const;
    /// "Not started" with the experiment's iterations and estimated time.
    void showPlan();
    // train_page_processes.cpp: runs of several processes (maml-cli --nproc) and following a folder.
    void startProcesses(const QString& dir);
    void continueProcesses(const QString& dir);
    void onProcessesFinished(int exitCode, const QString& errors);
    void connectFollowing();
    bool processesRunning() const;

    Workbench* m_workbench;
    TrainingSession* m_session = nullptr;
    RunFollower* m_follower = nullptr;
    ProcessRun* m_processes = nullptr;
    TrainingCharts* m_charts = nullptr;
    QLineEdit* m_runDir = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_continue = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_stats = nullptr;
    QPlainTextEdit* m_log = nullptr;
};

} // namespace maml::ui
