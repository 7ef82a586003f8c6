#include "ui/common/worker_thread.h"

namespace maml::ui {

void ThreadStopper::operator()(QThread* thread) const
{
    thread->requestInterruption();
    thread->quit();
    thread->wait();
    delete thread;
}

WorkerThread::WorkerThread(QString name, QThread::Priority priority)
    : m_name(std::move(name)), m_priority(priority)
{
}

WorkerThread::~WorkerThread() = default; // m_thread's deleter stops and joins the thread

void WorkerThread::post(std::function<void()> job)
{
    if (!m_thread) {
        m_thread.reset(new QThread);
        m_thread->setObjectName(m_name);
        m_worker = new QObject;
        m_worker->moveToThread(m_thread.get());
        // Deleted on its own thread once the event loop has quit (pending jobs go with it).
        QObject::connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
        m_thread->start(m_priority);
    }
    QMetaObject::invokeMethod(m_worker, std::move(job), Qt::QueuedConnection);
}

} // namespace maml::ui
