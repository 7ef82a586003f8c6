#pragma once
// Short jobs (opening a dataset, sampling an episode) off the GUI thread.

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>
#include <QString>
#include <QThread>

#include <exception>
#include <functional>
#include <memory>

namespace maml::ui {

/// Threads started by runInBackground are joined here when the application quits, so none
/// outlives the objects it reports to.
void trackBackgroundThread(QThread* thread);
/// Waits for every tracked background thread (called on aboutToQuit; tests may call it).
void waitForBackgroundThreads();

/// Runs `work` on a new thread; then `done(result)` or `failed(message)` runs on the thread of
/// the application (the GUI thread), unless `context` was destroyed meanwhile.
template <typename T>
void runInBackground(QObject* context, std::function<T()> work, std::function<void(T)> done,
                     std::function<void(QString)> failed)
{
    QPointer<QObject> guard(context);
    auto* thread = QThread::create([guard, work, done, failed] {
        try {
            auto result = std::make_shared<T>(work());
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [guard, done, result] {
                    if (guard)
                        done(*result);
                },
                Qt::QueuedConnection);
        } catch (const std::exception& e) {
            const QString message = QString::fromUtf8(e.what());
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [guard, failed, message] {
                    if (guard)
                        failed(message);
                },
                Qt::QueuedConnection);
        }
    });
    trackBackgroundThread(thread);
    thread->start();
}

} // namespace maml::ui
