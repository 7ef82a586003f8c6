#include "ui/adapt/adapt_session.h"

#include "core/engine/adapter.h"
#include "core/engine/checkpoint.h"
#include "core/text/text_adapter.h"
#include "core/text/text_datasets.h"
#include "core/text/text_task_source.h"
#include "core/util/error.h"

#include <QMetaObject>

#include <atomic>

namespace maml::ui {

struct AdaptSession::State {
    std::unique_ptr<Adapter> adapter;  ///< an image model
    std::unique_ptr<TextAdapter> text; ///< or a text model
    RunControl control;
    bool hasSupport = false;

    bool loaded() const { return adapter || text; }
    bool adapted() const { return text ? text->adapted() : adapter && adapter->adapted(); }
    const ExperimentConfig& config() const { return text ? text->config() : adapter->config(); }
    const std::vector<std::string>& classNames() const
    {
        return text ? text->classNames() : adapter->classNames();
    }
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

bool isTextModel(const ExperimentConfig& c)
{
    return isTextSpec(c.dataset) || c.model == "transformer";
}

/// The model kind must match the page's mode; else a message saying what to do.
void checkKind(const ExperimentConfig& c, bool text)
{
    if (isTextModel(c) == text)
        return;
    const std::string model = "dataset " + c.dataset + ", model " + c.model;
    if (text)
        throw Error(
            "the loaded checkpoint is an image model (" + model + "), not a text model",
            "Adapt page, text mode",
            "load a checkpoint trained on sentiment-uci, imdb50k or text:FILE, or switch the page to Images");
    throw Error("the loaded checkpoint is a text model (" + model + ")", "Adapt page, image mode",
                "switch the page to Text and type sentences, or load an image checkpoint");
}

QString describe(const ExperimentConfig& c, const TextAdapter* text)
{
    if (!text)
        return AdaptSession::tr("%1-way %2-shot model of %3 (%4x%4, %5 channel(s))")
            .arg(c.ways)
            .arg(c.shots)
            .arg(QString::fromStdString(c.dataset))
            .arg(c.imageSize)
            .arg(c.channels);
    const auto& e = c.extra;
    return AdaptSession::tr("%1-way %2-shot Transformer of %3 (text: d_model %4, %5 layer(s), %6 head, "
                            "vocabulary of %7 words)")
        .arg(c.ways)
        .arg(c.shots)
        .arg(QString::fromStdString(c.dataset))
        .arg(e.value("dModel", 256))
        .arg(e.value("layers", 1))
        .arg(QString::fromStdString(e.value("head", std::string("mean"))))
        .arg(text->tokenizer().vocabSize());
}

/// The label names of the corpus a text model was trained on, if that corpus is on this machine.
QStringList corpusLabels(const ExperimentConfig& c)
{
    QStringList out;
    try {
        const auto corpus = sharedTextCorpus(c.dataset); // held: the cache keeps only weak pointers
        for (const auto& l : corpus->labelNames())
            out << QString::fromStdString(l);
    } catch (const std::exception&) {
        // Trained elsewhere: the page keeps its "class N" names.
    }
    return out;
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
        s.text.reset();
        s.hasSupport = false;
        const std::filesystem::path path = checkpoint.toStdString();
        const bool text = isTextModel(readCheckpointInfo(path).config);
        if (text)
            s.text = std::make_unique<TextAdapter>(path);
        else
            s.adapter = std::make_unique<Adapter>(path);
        const auto& c = s.config();
        const QString description = describe(c, s.text.get());
        const QStringList labels = text ? corpusLabels(c) : QStringList();
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
        if (!s.loaded())
            throw Error("no model loaded", "Adapt page", "load a checkpoint first");
        checkKind(s.config(), text);
        s.hasSupport = false;
        if (text) {
            std::vector<TextClass> classes;
            for (const auto& [name, sentences] : support) {
                TextClass c{name.toStdString(), {}};
                for (const auto& sentence : sentences)
                    c.sentences.push_back(sentence.toStdString());
                classes.push_back(std::move(c));
            }
            s.text->setSupport(classes);
        } else {
            std::vector<SupportClass> classes;
            for (const auto& [name, files] : support)
                classes.push_back({name.toStdString(), paths(files)});
            s.adapter->setSupport(classes);
        }
        s.hasSupport = true;
        auto onStep = [this](int step, double loss) {
            queueTo(this, [this, step, loss] { Q_EMIT stepLoss(step, loss); });
        };
        if (text)
            s.text->adapt(steps, onStep, &s.control);
        else
            s.adapter->adapt(steps, onStep, &s.control);
        const auto predictions =
            queries.isEmpty() ? QVector<QueryPrediction>() : predictNow(s, queries, text);
        queueTo(this, [this, predictions] { Q_EMIT predicted(predictions, true); });
    });
}

QVector<QueryPrediction> AdaptSession::predictNow(State& s, const QStringList& queries, bool text)
{
    if (!text)
        return convert(s.adapter->predict(paths(queries)), s.adapter->classNames());
    std::vector<std::string> sentences;
    for (const auto& q : queries)
        sentences.push_back(q.toStdString());
    return convert(s.text->predict(sentences), s.text->classNames());
}

void AdaptSession::predict(const QStringList& queries, bool text)
{
    post([this, queries, text](State& s) {
        if (!s.loaded() || !s.hasSupport || queries.isEmpty() || isTextModel(s.config()) != text)
            return;
        const bool adapted = s.adapted();
        const auto predictions = predictNow(s, queries, text);
        queueTo(this, [this, predictions, adapted] { Q_EMIT predicted(predictions, adapted); });
    });
}

void AdaptSession::reset(const QStringList& queries, bool text)
{
    post([](State& s) {
        if (s.adapter)
            s.adapter->reset();
        if (s.text)
            s.text->reset();
    });
    predict(queries, text);
}

} // namespace maml::ui
