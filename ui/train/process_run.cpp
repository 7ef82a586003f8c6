#include "ui/train/process_run.h"

#include "core/util/atomic_file.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

#include <csignal>

namespace maml::ui {

ProcessRun::ProcessRun(QObject* parent) : QObject(parent) {}

ProcessRun::~ProcessRun()
{
    if (!isRunning())
        return;
    stop();
    if (!m_process->waitForFinished(30000))
        m_process->kill();
    m_process->waitForFinished(5000);
}

QString ProcessRun::cliPath()
{
    const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("maml-cli"));
    if (QFileInfo(beside).isExecutable())
        return beside;
    return QStandardPaths::findExecutable(QStringLiteral("maml-cli"));
}

bool ProcessRun::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

bool ProcessRun::start(const ExperimentConfig& config, const QString& runDir, QString* error)
{
    m_configDir = std::make_unique<QTemporaryDir>();
    const QString file = m_configDir->filePath(QStringLiteral("config.json"));
    try {
        writeFileAtomic(file.toStdString(), config.toJson().dump(2) + "\n");
    } catch (const std::exception& e) {
        *error = QString::fromUtf8(e.what());
        return false;
    }
    QStringList args{QStringLiteral("train"),
                     QStringLiteral("--config"),
                     file,
                     QStringLiteral("--run-dir"),
                     runDir,
                     QStringLiteral("--nproc"),
                     QString::number(config.processes)};
    if (config.threads > 0)
        args << QStringLiteral("--threads") << QString::number(config.threads);
    return launch(args, error);
}

bool ProcessRun::resume(const QString& runDir, int processes, int threads, QString* error)
{
    QStringList args{QStringLiteral("resume"), QStringLiteral("--run-dir"), runDir, QStringLiteral("--nproc"),
                     QString::number(processes)};
    if (threads > 0)
        args << QStringLiteral("--threads") << QString::number(threads);
    return launch(args, error);
}

bool ProcessRun::launch(const QStringList& args, QString* error)
{
    const QString cli = cliPath();
    if (cli.isEmpty()) {
        *error = tr("maml-cli was not found beside the workbench or on PATH; it runs training on several "
                    "processes. Build it (make build) or set Processes to 1.");
        return false;
    }
    delete m_process;
    m_process = new QProcess(this);
    m_errors.clear();
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    m_process->setStandardOutputFile(QProcess::nullDevice());
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        for (const auto& line : QString::fromUtf8(m_process->readAllStandardError()).split(QLatin1Char('\n')))
            if (line.contains(QLatin1String("error")))
                m_errors += line.trimmed() + QLatin1Char('\n');
    });
    connect(m_process, qOverload<int, QProcess::ExitStatus>(&QProcess::finished), this,
            [this](int code, QProcess::ExitStatus status) {
                Q_EMIT finished(status == QProcess::NormalExit ? code : -1, m_errors.trimmed());
            });
    m_process->start(cli, args);
    if (!m_process->waitForStarted(10000)) {
        *error = tr("cannot start %1: %2").arg(cli, m_process->errorString());
        return false;
    }
    return true;
}

void ProcessRun::stop()
{
    if (isRunning())
        ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
}

} // namespace maml::ui
