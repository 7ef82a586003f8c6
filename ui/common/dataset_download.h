#pragma once
// Downloads CIFAR-100 on a worker thread with progress and cancel (core/data/downloader.h).

#include "ui/common/worker_thread.h"

#include <QObject>
#include <QString>

#include <atomic>

namespace maml::ui {

class DatasetDownload final : public QObject {
    Q_OBJECT
public:
    explicit DatasetDownload(QObject* parent = nullptr);
    /// Cancels a running download and waits for its thread.
    ~DatasetDownload() override;

    void start();
    void cancel() { m_cancel = true; }

Q_SIGNALS:
    void progress(qint64 bytes, qint64 total);
    void finished(bool ok, const QString& message);

private:
    bool m_started = false;
    std::atomic<bool> m_cancel{false};
    WorkerThread m_worker{QStringLiteral("download")}; ///< last: stops first
};

} // namespace maml::ui
