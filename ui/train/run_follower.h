#pragma once
// Follows a run folder that another process or machine is writing (maml-cli train, a cluster
// run, the workbench's own multi-process runs): the lines appended to metrics.jsonl and
// train.log, read a few times a second on the GUI thread (small reads, no tensors).

#include "ui/train/run_history.h"

#include <QObject>
#include <QStringList>
#include <QVector>

class QTimer;

namespace maml::ui {

class RunFollower final : public QObject {
    Q_OBJECT
public:
    explicit RunFollower(QObject* parent = nullptr);

    /// Follows `dir` from now on: history() holds what its files held so far, later lines
    /// arrive as signals. Throws maml::Error if `dir` holds no run.
    void follow(const QString& dir);
    void stop();
    bool isFollowing() const;
    QString dir() const { return m_history.dir; }
    const RunHistory& history() const { return m_history; }
    /// Milliseconds between two reads (default 500).
    void setInterval(int ms);

public Q_SLOTS:
    /// Reads what was appended since the last read (the timer calls it).
    void poll();

Q_SIGNALS:
    /// The points of new metrics lines, in order.
    void points(const QVector<maml::TrainProgress>& points);
    /// metrics.jsonl was rewritten (a resume cut it back): the whole history again.
    void reset(const maml::ui::RunHistory& history);
    /// New lines of train.log.
    void logLines(const QStringList& lines);

private:
    /// A file read by appended lines; knows when it was replaced (another inode) or cut.
    struct Tail {
        QString path;
        qint64 offset = 0;
        quint64 inode = 0;
        QByteArray partial;
        /// Complete new lines; sets `replaced` when the file is not the one read so far.
        QList<QByteArray> read(bool* replaced);
        void skipToEnd();
    };

    void reload(const QString& dir);
    QVector<TrainProgress> addLine(const QByteArray& line);

    QTimer* m_timer;
    RunHistory m_history;
    Tail m_metrics, m_log;
};

} // namespace maml::ui
