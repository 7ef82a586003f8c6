#include "ui/experiment/dataset_download.h"

#include "core/data/dataset_registry.h"
#include "core/data/downloader.h"
#include "core/util/error.h"

#include <QElapsedTimer>
#include <QMetaObject>

namespace maml::ui {

DatasetDownload::DatasetDownload(QObject* parent) : QObject(parent) {}

DatasetDownload::~DatasetDownload()
{
    m_cancel = true;
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

void DatasetDownload::start()
{
    if (m_thread)
        return;
    m_thread = QThread::create([this] {
        DownloadOptions options;
        options.cancel = &m_cancel;
        options.progress = [this](int64_t received, int64_t total) {
            QMetaObject::invokeMethod(
                this, [this, received, total] { Q_EMIT progress(received, total); }, Qt::QueuedConnection);
        };
        bool ok = false;
        QString message;
        try {
            bool present = false;
            const auto dir = fetchCifar100(defaultCacheDir() / "cifar100", {}, options, &present);
            ok = true;
            message = present
                          ? tr("CIFAR-100 was already there: %1").arg(QString::fromStdString(dir.string()))
                          : tr("CIFAR-100 downloaded to %1").arg(QString::fromStdString(dir.string()));
        } catch (const Cancelled&) {
            message = tr("Download cancelled.");
        } catch (const std::exception& e) {
            message = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(
            this, [this, ok, message] { Q_EMIT finished(ok, message); }, Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("download"));
    m_thread->start();
}

} // namespace maml::ui
