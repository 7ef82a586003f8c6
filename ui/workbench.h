#pragma once
// The state the pages share: the current experiment, run directory and checkpoint.

#include "core/engine/config.h"

#include <QObject>
#include <QString>
#include <QStringList>

namespace maml::ui {

/// Owned by the main window; pages read it and listen to its signals.
class Workbench final : public QObject {
    Q_OBJECT
public:
    /// Starts from firstLaunchExperiment(); MainWindow then restores the last experiment.
    explicit Workbench(QObject* parent = nullptr);

    /// The experiment of a first launch: the default preset (glyphs-5w1s, minutes on a CPU),
    /// not ExperimentConfig's struct defaults (the paper's 60,000 iterations: days).
    static ExperimentConfig firstLaunchExperiment();

    const ExperimentConfig& experiment() const { return m_experiment; }
    void setExperiment(const ExperimentConfig& config, const QString& file = {});
    /// JSON file the experiment was loaded from / saved to (may be empty).
    QString experimentFile() const { return m_experimentFile; }

    /// The run directory shown on the Train page (may be empty).
    QString runDir() const { return m_runDir; }
    void setRunDir(const QString& dir);
    /// Best checkpoint of the run dir if it exists, else last.pt, else empty.
    QString runCheckpoint() const;

    /// Reads / writes an experiment JSON file; throw maml::Error.
    static ExperimentConfig loadExperiment(const QString& file);
    static void saveExperiment(const ExperimentConfig& config, const QString& file);

    /// Recent run directories (QSettings "recentRuns"), most recent first.
    static QStringList recentRuns();
    static void addRecentRun(const QString& dir);

Q_SIGNALS:
    void experimentChanged();
    void runDirChanged(const QString& dir);

private:
    ExperimentConfig m_experiment;
    QString m_experimentFile;
    QString m_runDir;
};

} // namespace maml::ui
