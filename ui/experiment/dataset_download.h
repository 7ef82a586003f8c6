#pragma once
// Downloads CIFAR-100 on a worker thread with progress and cancel (core/data/downloader.h).

#include <QObject>
#include <QString>
#include <QThread>

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
    QThread* m_thread = nullptr;
    std::atomic<bool> m_cancel{false};
};

} // namespace maml::ui
