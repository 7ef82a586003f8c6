#include "ui/common/dataset_download.h"

#include "core/data/dataset_registry.h"
#include "core/data/downloader.h"
#include "core/util/error.h"

namespace maml::ui {

DatasetDownload::DatasetDownload(QObject* parent) : QObject(parent) {}

DatasetDownload::~DatasetDownload()
{
    m_cancel = true; // m_worker's destructor then waits for the download to return
}

void DatasetDownload::start()
{
    if (m_started)
        return;
    m_started = true;
    m_worker.post([this] {
        DownloadOptions options;
        options.cancel = &m_cancel;
        options.progress = [this](int64_t received, int64_t total) {
            queueTo(this, [this, received, total] { Q_EMIT progress(received, total); });
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
        queueTo(this, [this, ok, message] { Q_EMIT finished(ok, message); });
    });
}

} // namespace maml::ui
