#pragma once
// The one way ui runs work off the GUI thread: an owned worker thread (as qBittorrent's
// Utils::Thread::UniquePtr and Tiled's project model do it). The owner holds a WorkerThread;
// its destructor asks the thread to stop, quits its event loop and waits, so no thread ever
// outlives the object it reports to. Work is posted to a worker QObject living on the thread
// and runs there one job after the other; results come back as queued calls on the receiver's
// (GUI) thread. The worker never touches a widget, the GUI thread never a tensor.

#include <QMetaObject>
#include <QObject>
#include <QString>
#include <QThread>

#include <exception>
#include <functional>
#include <memory>
#include <utility>

namespace maml::ui {

/// Deletes a QThread the qBittorrent way: requestInterruption(), quit(), wait(), delete.
struct ThreadStopper {
    void operator()(QThread* thread) const;
};

class WorkerThread final {
public:
    /// `name`: the thread's name (debuggers, logs). The thread starts with the first post().
    explicit WorkerThread(QString name, QThread::Priority priority = QThread::InheritPriority);
    /// Requests interruption, quits and waits: the job running now finishes (long jobs check
    /// interruptionRequested() or their own cancel flag), queued jobs are dropped.
    ~WorkerThread();
    WorkerThread(const WorkerThread&) = delete;
    WorkerThread& operator=(const WorkerThread&) = delete;

    /// Queues `job` on the worker thread; jobs run one at a time, in order.
    void post(std::function<void()> job);

    /// Runs `work` on the worker thread; then `done(result)` or, if it threw,
    /// `failed(message)` runs on `receiver`'s thread - unless `receiver` is gone by then.
    /// `receiver` owns this WorkerThread (or outlives it).
    template <typename T>
    void run(QObject* receiver, std::function<T()> work, std::function<void(T)> done,
             std::function<void(QString)> failed)
    {
        post([receiver, work = std::move(work), done = std::move(done), failed = std::move(failed)] {
            try {
                auto result = std::make_shared<T>(work());
                QMetaObject::invokeMethod(
                    receiver, [done, result] { done(std::move(*result)); }, Qt::QueuedConnection);
            } catch (const std::exception& e) {
                QMetaObject::invokeMethod(
                    receiver, [failed, message = QString::fromUtf8(e.what())] { failed(message); },
                    Qt::QueuedConnection);
            }
        });
    }

    /// Inside a job: whether the owner is going away (stop at the next natural checkpoint).
    static bool interruptionRequested() { return QThread::currentThread()->isInterruptionRequested(); }

private:
    QString m_name;
    QThread::Priority m_priority;
    std::unique_ptr<QThread, ThreadStopper> m_thread;
    QObject* m_worker = nullptr; ///< lives on m_thread, jobs run in its event loop; freed with the thread
};

/// Calls `f` on `receiver`'s thread (queued), unless `receiver` is destroyed first: how a job
/// reports progress and results to the GUI thread.
template <typename F> void queueTo(QObject* receiver, F&& f)
{
    QMetaObject::invokeMethod(receiver, std::forward<F>(f), Qt::QueuedConnection);
}

} // namespace maml::ui
