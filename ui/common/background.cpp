#include "ui/common/background.h"

#include <QList>
#include <QMutex>
#include <QMutexLocker>

namespace maml::ui {
namespace {
QMutex g_mutex;
QList<QPointer<QThread>> g_threads;
} // namespace

void trackBackgroundThread(QThread* thread)
{
    QMutexLocker lock(&g_mutex);
    g_threads.removeIf([](const QPointer<QThread>& t) { return t.isNull(); });
    g_threads.append(thread);
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
}

void waitForBackgroundThreads()
{
    QList<QPointer<QThread>> threads;
    {
        QMutexLocker lock(&g_mutex);
        threads = g_threads;
    }
    for (auto& t : threads)
        if (t)
            t->wait();
}

} // namespace maml::ui
