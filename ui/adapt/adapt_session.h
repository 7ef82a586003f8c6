#pragma once
// A maml::ModelAdapter (core's openAdapter: an image or a text model) living on its own worker
// thread: load a checkpoint, adapt to a support set (S steps, per-step loss), predict query files
// or sentences, reset. The GUI thread only sends requests and receives plain values.

#include "ui/adapt/query_area.h"
#include "ui/common/worker_thread.h"

#include <QObject>
#include <QPair>
#include <QStringList>
#include <QVector>

#include <functional>
#include <memory>

namespace maml::ui {

/// One support class: its name and its image files (or, in text mode, its sentences).
using SupportBin = QPair<QString, QStringList>;

class AdaptSession final : public QObject {
    Q_OBJECT
public:
    explicit AdaptSession(QObject* parent = nullptr);
    /// Cancels any adaptation, stops and joins the worker thread.
    ~AdaptSession() override;

    /// Loads an image or a text checkpoint (which one: the `loaded` signal says).
    void load(const QString& checkpoint);
    /// setSupport + adapt(steps) + predict(queries); steps -1 = the checkpoint's eval steps.
    /// `text`: support lists and queries are sentences, not files; the loaded model must be of
    /// the same kind (else `failed` with what to do).
    void adapt(const QVector<SupportBin>& support, int steps, const QStringList& queries, bool text = false);
    /// Predictions of the current (adapted or reset) model.
    void predict(const QStringList& queries, bool text = false);
    /// Back to the meta-parameters, then predict(queries) (if a support set is set).
    void reset(const QStringList& queries, bool text = false);
    bool isBusy() const { return m_busy > 0; }

Q_SIGNALS:
    /// A checkpoint is loaded: classes it was trained for (N), eval steps, a description,
    /// whether it is a text model, and (text) the labels of its corpus when known.
    void loaded(int ways, int steps, const QString& description, bool text, const QStringList& labels);
    void stepLoss(int step, double loss);
    void predicted(const QVector<maml::ui::QueryPrediction>& predictions, bool adapted);
    void failed(const QString& message);
    void busyChanged(bool busy);

private:
    struct State;
    void post(std::function<void(State&)> job);
    /// On the worker thread: predictions of the loaded model for its kind of items.
    static QVector<QueryPrediction> predictNow(State& s, const QStringList& queries);

    std::shared_ptr<State> m_state;
    int m_busy = 0;
    WorkerThread m_worker{QStringLiteral("adaptation"), QThread::LowPriority}; ///< last: stops first
};

} // namespace maml::ui
