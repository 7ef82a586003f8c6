#include "ui/adapt/adapt_session.h"

#include "core/engine/adapter.h"
#include "core/util/error.h"

namespace maml::ui {

struct AdaptSession::State {
    std::unique_ptr<ModelAdapter> adapter; ///< an image or a text model: adapter->kind() says
    RunControl control;
    bool hasSupport = false;

    bool isText() const { return adapter && adapter->kind() == DataKind::Text; }
};

namespace {

std::vector<std::string> toStd(const QStringList& list)
{
    std::vector<std::string> out;
    for (const auto& s : list)
        out.push_back(s.toStdString());
    return out;
}

QStringList toQt(const std::vector<std::string>& list)
{
    QStringList out;
    for (const auto& s : list)
        out << QString::fromStdString(s);
    return out;
}

QVector<QueryPrediction> convert(const std::vector<Prediction>& predictions,
                                 const std::vector<std::string>& names)
{
    const QStringList classNames = toQt(names);
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

/// The items of the page's mode must be of the loaded model's kind; else a message saying what
/// to do.
void checkKind(const ModelAdapter& adapter, bool text)
{
    if ((adapter.kind() == DataKind::Text) == text)
        return;
    const auto& c = adapter.config();
    const std::string model = "dataset " + c.dataset + ", model " + c.model;
    if (text)
        throw Error(
            "the loaded checkpoint is an image model (" + model + "), not a text model",
            "Adapt page, text mode",
            "load a checkpoint trained on sentiment-uci, imdb50k or text:FILE, or switch the page to Images");
    throw Error("the loaded checkpoint is a text model (" + model + ")", "Adapt page, image mode",
                "switch the page to Text and type sentences, or load an image checkpoint");
}

} // namespace

AdaptSession::AdaptSession(QObject* parent) : QObject(parent), m_state(std::make_shared<State>())
{
    qRegisterMetaType<QVector<maml::ui::QueryPrediction>>();
}

AdaptSession::~AdaptSession()
{
    m_state->control.cancel = true; // m_worker's destructor then waits for the job running now
}

void AdaptSession::post(std::function<void(State&)> job)
{
    ++m_busy;
    if (m_busy == 1)
        Q_EMIT busyChanged(true);
    m_worker.post([this, state = m_state, job] {
        QString error;
        try {
            job(*state);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        queueTo(this, [this, error] {
            if (!error.isEmpty())
                Q_EMIT failed(error);
            if (--m_busy == 0)
                Q_EMIT busyChanged(false);
        });
    });
}

void AdaptSession::load(const QString& checkpoint)
{
    post([this, checkpoint](State& s) {
        s.adapter.reset();
        s.hasSupport = false;
        s.adapter = openAdapter(checkpoint.toStdString());
        const auto& c = s.adapter->config();
        const QString description = QString::fromStdString(s.adapter->describe());
        const QStringList labels = toQt(s.adapter->dataLabels());
        const bool text = s.isText();
        const int ways = c.ways, steps = c.innerStepsEval;
        queueTo(this, [this, ways, steps, description, text, labels] {
            Q_EMIT loaded(ways, steps, description, text, labels);
        });
    });
}

void AdaptSession::adapt(const QVector<SupportBin>& support, int steps, const QStringList& queries, bool text)
{
    m_state->control.cancel = false;
    post([this, support, steps, queries, text](State& s) {
        if (!s.adapter)
            throw Error("no model loaded", "Adapt page", "load a checkpoint first");
        checkKind(*s.adapter, text);
        s.hasSupport = false;
        std::vector<ItemClass> classes;
        for (const auto& [name, items] : support)
            classes.push_back({name.toStdString(), toStd(items)});
        s.adapter->setSupportItems(classes);
        s.hasSupport = true;
        s.adapter->adapt(
            steps,
            [this](int step, double loss) {
                queueTo(this, [this, step, loss] { Q_EMIT stepLoss(step, loss); });
            },
            &s.control);
        const auto predictions = queries.isEmpty() ? QVector<QueryPrediction>() : predictNow(s, queries);
        queueTo(this, [this, predictions] { Q_EMIT predicted(predictions, true); });
    });
}

QVector<QueryPrediction> AdaptSession::predictNow(State& s, const QStringList& queries)
{
    return convert(s.adapter->predictItems(toStd(queries)), s.adapter->classNames());
}

void AdaptSession::predict(const QStringList& queries, bool text)
{
    post([this, queries, text](State& s) {
        if (!s.adapter || !s.hasSupport || queries.isEmpty() || s.isText() != text)
            return;
        const bool adapted = s.adapter->adapted();
        const auto predictions = predictNow(s, queries);
        queueTo(this, [this, predictions, adapted] { Q_EMIT predicted(predictions, adapted); });
    });
}

void AdaptSession::reset(const QStringList& queries, bool text)
{
    post([](State& s) {
        if (s.adapter)
            s.adapter->reset();
    });
    predict(queries, text);
}

} // namespace maml::ui
