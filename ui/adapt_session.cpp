#include "ui/adapt_session.h"

#include "core/engine/adapter.h"

#include <QMetaObject>

#include <atomic>

namespace maml::ui {

struct AdaptSession::State {
    std::unique_ptr<Adapter> adapter;
    RunControl control;
    bool hasSupport = false;
};

namespace {

std::vector<std::filesystem::path> paths(const QStringList& files)
{
    std::vector<std::filesystem::path> out;
    for (const auto& f : files)
        out.emplace_back(f.toStdString());
    return out;
}

QVector<QueryPrediction> convert(const std::vector<Prediction>& predictions,
                                 const std::vector<std::string>& names)
{
    QStringList classNames;
    for (const auto& n : names)
        classNames << QString::fromStdString(n);
    QVector<QueryPrediction> out;
    for (const auto& p : predictions) {
        QueryPrediction q;
        q.file = QString::fromStdString(p.item);
        q.className = QString::fromStdString(p.className);
        q.classNames = classNames;
        for (double v : p.probabilities)
            q.probabilities << v;
        out << q;
    }
    return out;
}

}  // namespace

AdaptSession::AdaptSession(QObject* parent) : QObject(parent), m_state(std::make_shared<State>())
{
    qRegisterMetaType<QVector<maml::ui::QueryPrediction>>();
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.setObjectName(QStringLiteral("adaptation"));
    m_thread.start(QThread::LowPriority);
}

AdaptSession::~AdaptSession()
{
    m_state->control.cancel = true;
    m_thread.quit();
    m_thread.wait();
    delete m_context; // its thread has finished: no event can reach it any more
}

void AdaptSession::post(std::function<void(State&)> job)
{
    ++m_busy;
    if (m_busy == 1)
        Q_EMIT busyChanged(true);
    auto state = m_state;
    QMetaObject::invokeMethod(m_context, [this, state, job] {
        QString error;
        try {
            job(*state);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(this, [this, error] {
            if (!error.isEmpty())
                Q_EMIT failed(error);
            if (--m_busy == 0)
                Q_EMIT busyChanged(false);
        }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

void AdaptSession::load(const QString& checkpoint)
{
    post([this, checkpoint](State& s) {
        s.adapter = std::make_unique<Adapter>(checkpoint.toStdString());
        s.hasSupport = false;
        const auto& c = s.adapter->config();
        const QString description = tr("%1-way %2-shot model of %3 (%4x%4, %5 channel(s))")
                                        .arg(c.ways).arg(c.shots).arg(QString::fromStdString(c.dataset))
                                        .arg(c.imageSize).arg(c.channels);
        const int ways = c.ways, steps = c.innerStepsEval;
        QMetaObject::invokeMethod(this, [this, ways, steps, description] {
            Q_EMIT loaded(ways, steps, description);
        }, Qt::QueuedConnection);
    });
}

void AdaptSession::adapt(const QVector<SupportBin>& support, int steps, const QStringList& queries)
{
    m_state->control.cancel = false;
    post([this, support, steps, queries](State& s) {
        if (!s.adapter)
            throw std::runtime_error(tr("Load a checkpoint first.").toStdString());
        std::vector<SupportClass> classes;
        for (const auto& [name, files] : support)
            classes.push_back({name.toStdString(), paths(files)});
        s.adapter->setSupport(classes);
        s.hasSupport = true;
        s.adapter->adapt(steps, [this](int step, double loss) {
            QMetaObject::invokeMethod(this, [this, step, loss] { Q_EMIT stepLoss(step, loss); },
                                      Qt::QueuedConnection);
        }, &s.control);
        const auto predictions = convert(s.adapter->predict(paths(queries)), s.adapter->classNames());
        QMetaObject::invokeMethod(this, [this, predictions] { Q_EMIT predicted(predictions, true); },
                                  Qt::QueuedConnection);
    });
}

void AdaptSession::predict(const QStringList& queries)
{
    post([this, queries](State& s) {
        if (!s.adapter || !s.hasSupport || queries.isEmpty())
            return;
        const bool adapted = s.adapter->adapted();
        const auto predictions = convert(s.adapter->predict(paths(queries)), s.adapter->classNames());
        QMetaObject::invokeMethod(this, [this, predictions, adapted] { Q_EMIT predicted(predictions, adapted); },
                                  Qt::QueuedConnection);
    });
}

void AdaptSession::reset(const QStringList& queries)
{
    post([](State& s) {
        if (s.adapter)
            s.adapter->reset();
    });
    predict(queries);
}

}  // namespace maml::ui
