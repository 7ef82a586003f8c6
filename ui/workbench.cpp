#include "ui/workbench.h"

#include "core/engine/presets.h"
#include "core/engine/trainer.h"
#include "core/util/atomic_file.h"

#include <QFileInfo>
#include <QSettings>

namespace maml::ui {

Workbench::Workbench(QObject* parent) : QObject(parent), m_experiment(firstLaunchExperiment()) {}

ExperimentConfig Workbench::firstLaunchExperiment()
{
    // Every program calls registerBuiltinModules() before it builds a window; preset() says so
    // if one does not.
    return preset(defaultPresetName());
}

void Workbench::setExperiment(const ExperimentConfig& config, const QString& file)
{
    m_experiment = config;
    m_experimentFile = file;
    Q_EMIT experimentChanged();
}

void Workbench::setRunDir(const QString& dir)
{
    m_runDir = dir;
    if (!dir.isEmpty())
        addRecentRun(dir);
    Q_EMIT runDirChanged(dir);
}

QString Workbench::runCheckpoint() const
{
    if (m_runDir.isEmpty())
        return {};
    RunPaths paths{m_runDir.toStdString()};
    for (const auto& p : {paths.best(), paths.last()})
        if (QFileInfo::exists(QString::fromStdString(p.string())))
            return QString::fromStdString(p.string());
    return {};
}

ExperimentConfig Workbench::loadExperiment(const QString& file)
{
    return loadConfig(file.toStdString());
}

void Workbench::saveExperiment(const ExperimentConfig& config, const QString& file)
{
    writeFileAtomic(file.toStdString(), config.toJson().dump(2) + "\n");
}

QStringList Workbench::recentRuns()
{
    return QSettings().value(QStringLiteral("recentRuns")).toStringList();
}

void Workbench::addRecentRun(const QString& dir)
{
    const QString clean = QFileInfo(dir).absoluteFilePath();
    QStringList runs = recentRuns();
    runs.removeAll(clean);
    runs.prepend(clean);
    while (runs.size() > 8)
        runs.removeLast();
    QSettings().setValue(QStringLiteral("recentRuns"), runs);
}

} // namespace maml::ui
