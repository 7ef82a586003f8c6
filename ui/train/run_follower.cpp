#include "ui/train/run_follower.h"

#include "core/engine/trainer.h"

#include <QDir>
#include <QFile>
#include <QTimer>

#include <sys/stat.h>

namespace maml::ui {

namespace {
quint64 inodeOf(const QString& path)
{
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? static_cast<quint64>(st.st_ino) : 0;
}
} // namespace

QList<QByteArray> RunFollower::Tail::read(bool* replaced)
{
    QList<QByteArray> lines;
    QFile file(path);
    const quint64 node = inodeOf(path);
    if (!file.open(QIODevice::ReadOnly))
        return lines;
    if (node != inode || file.size() < offset) {
        if (replaced)
            *replaced = inode != 0 || offset > 0;
        inode = node;
        offset = 0;
        partial.clear();
    }
    if (!file.seek(offset))
        return lines;
    const QByteArray fresh = file.readAll();
    offset += fresh.size();
    partial += fresh;
    for (int nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
        lines.append(partial.left(nl));
        partial.remove(0, nl + 1);
    }
    return lines;
}

void RunFollower::Tail::skipToEnd()
{
    bool ignored = false;
    read(&ignored);
}

void RunFollower::reload(const QString& dir)
{
    m_history = RunHistory::load(dir); // checks the folder, reads the planned iterations
    m_history.train.clear();
    m_history.validation.clear();
    m_history.lastSeconds = 0;
    m_history.lastIteration = 0;
    m_metrics.offset = 0;
    m_metrics.inode = 0;
    m_metrics.partial.clear();
    for (const auto& line : m_metrics.read(nullptr)) // the file as read here, so no line twice
        addLine(line);
}

QVector<TrainProgress> RunFollower::addLine(const QByteArray& line)
{
    const auto record = nlohmann::json::parse(line.toStdString(), nullptr, /*allow_exceptions=*/false);
    return record.is_object() ? m_history.addRecord(record) : QVector<TrainProgress>{};
}

RunFollower::RunFollower(QObject* parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setInterval(500);
    connect(m_timer, &QTimer::timeout, this, &RunFollower::poll);
}

void RunFollower::follow(const QString& dir)
{
    stop();
    const RunPaths paths{dir.toStdString()};
    m_metrics = Tail{QString::fromStdString(paths.metrics().string())};
    m_log = Tail{QString::fromStdString(paths.log().string())};
    m_log.skipToEnd(); // the log panel shows what comes from now on
    reload(dir);
    m_timer->start();
}

void RunFollower::stop()
{
    m_timer->stop();
}

bool RunFollower::isFollowing() const
{
    return m_timer->isActive();
}

void RunFollower::setInterval(int ms)
{
    m_timer->setInterval(ms);
}

void RunFollower::poll()
{
    bool replaced = false;
    const auto metricsLines = m_metrics.read(&replaced);
    if (replaced) {
        try {
            reload(m_history.dir);
            Q_EMIT reset(m_history);
        } catch (const std::exception&) {
            // The folder is being rewritten; the next read tries again.
        }
    } else {
        QVector<TrainProgress> added;
        for (const auto& line : metricsLines)
            added += addLine(line);
        if (!added.isEmpty())
            Q_EMIT points(added);
    }
    QStringList log;
    for (const auto& line : m_log.read(nullptr))
        log.append(QString::fromUtf8(line));
    if (!log.isEmpty())
        Q_EMIT logLines(log);
}

} // namespace maml::ui
