#include "ui/adapt/adapt_page.h"

#include "ui/adapt/adapt_session.h"
#include "ui/adapt/class_bin.h"
#include "ui/adapt/query_area.h"
#include "ui/adapt/text_class_box.h"
#include "ui/adapt/text_query_panel.h"
#include "ui/common/error_html.h"
#include "ui/workbench.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace maml::ui {

AdaptPage::AdaptPage(Workbench* workbench, QWidget* parent) : QWidget(parent), m_workbench(workbench)
{
    m_title = new QLabel;
    m_title->setWordWrap(true);
    m_session = new AdaptSession(this);
    m_mode = new QComboBox;
    m_mode->setObjectName(QStringLiteral("adaptMode"));
    m_mode->addItem(tr("Images"), QStringLiteral("images"));
    m_mode->addItem(tr("Text"), QStringLiteral("text"));
    m_checkpoint = new QLineEdit;
    m_checkpoint->setObjectName(QStringLiteral("adaptCheckpoint"));
    auto* browse = new QPushButton(tr("..."));
    auto* load = new QPushButton(tr("Load"));
    m_model = new QLabel(tr("No model loaded."));
    m_model->setWordWrap(true);
    m_classCount = new QSpinBox;
    m_classCount->setRange(2, 2);
    m_steps = new QSpinBox;
    m_steps->setRange(0, 1000);
    m_adapt = new QPushButton(tr("Adapt"));
    m_adapt->setObjectName(QStringLiteral("adaptButton"));
    m_adapt->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_reset = new QPushButton(tr("Reset to meta-parameters"));
    m_export = new QPushButton(tr("Export..."));
    m_export->setObjectName(QStringLiteral("exportButton"));
    m_export->setToolTip(tr("Save the adapted model as a TorchScript file that PyTorch loads with "
                            "torch.jit.load (no workbench needed)"));
    auto* clearQueries = new QPushButton(tr("Clear queries"));
    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("adaptMessage"));
    m_message->setWordWrap(true);
    m_queries = new QueryArea;
    m_binRow = new QHBoxLayout;
    m_textBoxRow = new QHBoxLayout;
    m_textQueries = new TextQueryPanel;
    m_repredict = new QTimer(this);
    m_repredict->setSingleShot(true);
    m_repredict->setInterval(500);

    auto* top = new QHBoxLayout;
    top->addWidget(m_mode);
    top->addWidget(new QLabel(tr("Checkpoint:")));
    top->addWidget(m_checkpoint, 1);
    top->addWidget(browse);
    top->addWidget(load);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Classes:")));
    controls->addWidget(m_classCount);
    controls->addWidget(new QLabel(tr("Steps:")));
    controls->addWidget(m_steps);
    controls->addWidget(m_adapt);
    controls->addWidget(m_reset);
    controls->addWidget(m_export);
    controls->addWidget(clearQueries);
    controls->addStretch(1);
    auto* bins = new QWidget;
    bins->setLayout(m_binRow);
    auto* textBoxes = new QWidget;
    textBoxes->setLayout(m_textBoxRow);
    m_supportStack = new QStackedWidget;
    m_supportStack->addWidget(bins);
    m_supportStack->addWidget(textBoxes);
    m_supportStack->setMinimumHeight(190);
    auto* queryScroll = new QScrollArea;
    queryScroll->setWidget(m_queries);
    queryScroll->setWidgetResizable(true);
    m_queryStack = new QStackedWidget;
    m_queryStack->addWidget(queryScroll);
    m_queryStack->addWidget(m_textQueries);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_queryStack, 3);
    bottom->addWidget(buildLossChart(), 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(top);
    layout->addWidget(m_model);
    layout->addLayout(controls);
    layout->addWidget(m_supportStack, 2);
    layout->addWidget(m_message);
    layout->addLayout(bottom, 3);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Checkpoint"), m_checkpoint->text(),
                                                       tr("Checkpoints (*.pt)"));
        if (!f.isEmpty())
            loadCheckpoint(f);
    });
    connect(load, &QPushButton::clicked, this, [this] { loadCheckpoint(m_checkpoint->text()); });
    connect(m_mode, &QComboBox::activated, this,
            [this] { setTextMode(m_mode->currentData().toString() == QLatin1String("text")); });
    connect(m_classCount, &QSpinBox::valueChanged, this, &AdaptPage::setClassCount);
    connect(m_adapt, &QPushButton::clicked, this, &AdaptPage::adapt);
    connect(m_reset, &QPushButton::clicked, this, &AdaptPage::resetModel);
    connect(m_export, &QPushButton::clicked, this, &AdaptPage::askExportFile);
    connect(clearQueries, &QPushButton::clicked, this, [this] {
        if (isTextMode()) {
            m_textQueries->setSentences({});
            m_textQueries->setPredictions({});
        } else {
            m_queries->clear();
        }
    });
    connect(m_queries, &QueryArea::rejected, this,
            [this](const QStringList& m) { showMessage(m.join(QLatin1Char('\n')), true); });
    connect(m_queries, &QueryArea::changed, this, [this] {
        m_session->predict(m_queries->files());
        updateAdaptButton();
    });
    // Typing queries re-predicts with the adapted model once the typing pauses.
    connect(m_textQueries, &TextQueryPanel::changed, m_repredict, qOverload<>(&QTimer::start));
    connect(m_repredict, &QTimer::timeout, this, [this] {
        if (isTextMode() && m_textModel && !m_textQueries->sentences().isEmpty())
            m_session->predict(m_textQueries->sentences(), true);
    });
    connect(m_session, &AdaptSession::loaded, this, &AdaptPage::onLoaded);
    connect(m_session, &AdaptSession::stepLoss, this, [this](int step, double loss) {
        m_losses << loss;
        QList<QPointF> points;
        for (int i = 0; i < m_losses.size(); ++i)
            points << QPointF(i + 1, m_losses[i]);
        m_lossSeries->replace(points);
        // Whole steps only, at most 7 labels (1, 2, 5, 10, 20, 50 ... steps apart).
        const int lastStep = std::max<int>({m_steps->value(), static_cast<int>(m_losses.size()), 1});
        int every = 1;
        for (int i = 0; (lastStep + every - 1) / every > 6; ++i)
            every = (i % 3 == 0 ? 2 : i % 3 == 1 ? 5 : 10) * static_cast<int>(std::pow(10, i / 3));
        const int axisEnd = (lastStep + every - 1) / every * every;
        m_lossX->setRange(0, axisEnd);
        m_lossX->setTickCount(axisEnd / every + 1);
        m_lossY->setRange(0, *std::max_element(m_losses.begin(), m_losses.end()) * 1.1 + 1e-6);
    });
    connect(
        m_session, &AdaptSession::predicted, this, [this](const QVector<QueryPrediction>& p, bool adapted) {
            m_adapted = adapted;
            updateAdaptButton();
            if (isTextMode())
                m_textQueries->setPredictions(p);
            else
                m_queries->setPredictions(p);
            QString text = adapted ? tr("Adapted in %1 step(s); final support loss %2.")
                                         .arg(m_losses.size())
                                         .arg(m_losses.isEmpty() ? 0.0 : m_losses.last(), 0, 'f', 3)
                                   : tr("Predictions of the meta-parameters, before adapting (near chance).");
            if (isTextMode() && p.isEmpty())
                text += tr(" Type query sentences (one per line) to see what the adapted model predicts.");
            showMessage(text, false);
            Q_EMIT predictionsShown();
        });
    connect(m_session, &AdaptSession::failed, this, [this](const QString& m) { showMessage(m, true); });
    connect(m_session, &AdaptSession::exported, this, [this](const QString& path, const QStringList& names) {
        showMessage(tr("Wrote the adapted model (classes: %1) to %2. Load it in Python with "
                       "torch.jit.load; see README.md, \"Take a model away\".")
                        .arg(names.join(QStringLiteral(", ")), QDir::toNativeSeparators(path)),
                    false);
    });
    connect(m_session, &AdaptSession::busyChanged, this, [this](bool busy) {
        m_busy = busy;
        updateAdaptButton();
    });
    connect(workbench, &Workbench::runDirChanged, this, [this] {
        if (m_checkpoint->text().isEmpty() || !m_loaded)
            m_checkpoint->setText(m_workbench->runCheckpoint());
    });
    setClassCount(2);
    setTextMode(false);
}

void AdaptPage::onLoaded(int ways, int steps, const QString& description, bool text,
                         const QStringList& labels)
{
    m_loaded = true;
    m_textModel = text;
    m_labels = labels.size() == ways ? labels : QStringList();
    m_model->setText(tr("Model: %1").arg(description));
    m_classCount->setRange(2, std::max(2, ways));
    m_classCount->setValue(ways);
    setClassCount(ways);
    m_steps->setValue(steps);
    const bool switched = text != isTextMode();
    setTextMode(text);
    if (text)
        showMessage(tr("%1Text model loaded. Type a few example sentences into each class box (one per line) "
                       "and query sentences below, then press Adapt.")
                        .arg(switched ? tr("Switched to text mode. ") : QString()),
                    false);
    else
        showMessage(tr("%1Model loaded. Drop at least one image into each bin.")
                        .arg(switched ? tr("Switched to image mode. ") : QString()),
                    false);
    updateAdaptButton();
}

bool AdaptPage::isTextMode() const
{
    return m_mode->currentData().toString() == QLatin1String("text");
}

void AdaptPage::setTextMode(bool text)
{
    m_mode->setCurrentIndex(text ? 1 : 0);
    m_supportStack->setCurrentIndex(text ? 1 : 0);
    m_queryStack->setCurrentIndex(text ? 1 : 0);
    m_title->setText(text ? tr("<h2>5. Adapt</h2>Teach the meta-learned text model new classes from a few "
                               "sentences: type (or drag from the Episodes page) example sentences into each "
                               "class box, one per line, type query sentences below, press Adapt.")
                          : tr("<h2>5. Adapt</h2>Teach the meta-learned model new classes from a few "
                               "examples: drop images (from your file manager or the Episodes page) into "
                               "the class bins, drop query images below, press Adapt."));
    if (const QString m = kindMismatch(); !m.isEmpty())
        showMessage(m, true);
    updateAdaptButton();
}

QString AdaptPage::kindMismatch() const
{
    if (!m_loaded || m_textModel == isTextMode())
        return {};
    return m_textModel
               ? tr("The loaded checkpoint is a text model: switch to Text to type sentences, or load "
                    "an image checkpoint.")
               : tr("The loaded checkpoint is an image model: text mode needs a checkpoint trained on "
                    "sentiment-uci, imdb50k or text:FILE (or switch back to Images).");
}

QWidget* AdaptPage::buildLossChart()
{
    m_lossChart = new QChart;
    m_lossChart->setTitle(tr("Support loss while adapting"));
    m_lossChart->legend()->hide();
    m_lossSeries = new QLineSeries;
    m_lossChart->addSeries(m_lossSeries);
    m_lossX = new QValueAxis;
    m_lossX->setTitleText(tr("step"));
    m_lossX->setLabelFormat(QStringLiteral("%d"));
    m_lossY = new QValueAxis;
    m_lossChart->addAxis(m_lossX, Qt::AlignBottom);
    m_lossChart->addAxis(m_lossY, Qt::AlignLeft);
    m_lossSeries->attachAxis(m_lossX);
    m_lossSeries->attachAxis(m_lossY);
    auto* view = new QChartView(m_lossChart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(240, 200);
    return view;
}

QString AdaptPage::message() const
{
    return m_message->text();
}

void AdaptPage::showMessage(const QString& text, bool error)
{
    m_message->setStyleSheet(error ? QStringLiteral("color:%1").arg(QLatin1String(kErrorColor)) : QString());
    m_message->setText(text);
    Q_EMIT statusMessage(text.section(QLatin1Char('\n'), 0, 0));
}

void AdaptPage::loadCheckpoint(const QString& path)
{
    m_checkpoint->setText(path);
    m_loaded = false;
    m_adapted = false;
    showMessage(tr("Loading %1...").arg(path), false);
    m_session->load(path);
}

void AdaptPage::setClassCount(int count)
{
    while (m_bins.size() > count)
        delete m_bins.takeLast();
    while (m_bins.size() < count) {
        auto* bin = new ClassBin(tr("class %1").arg(m_bins.size() + 1));
        connect(bin, &ClassBin::rejected, this,
                [this](const QStringList& m) { showMessage(m.join(QLatin1Char('\n')), true); });
        connect(bin, &ClassBin::changed, this, &AdaptPage::updateAdaptButton);
        m_binRow->addWidget(bin);
        m_bins << bin;
    }
    while (m_textBoxes.size() > count)
        delete m_textBoxes.takeLast();
    while (m_textBoxes.size() < count) {
        auto* box = new TextClassBox(tr("class %1").arg(m_textBoxes.size() + 1));
        connect(box, &TextClassBox::changed, this, &AdaptPage::updateAdaptButton);
        m_textBoxRow->addWidget(box);
        m_textBoxes << box;
    }
    // Untouched boxes of a text model take its corpus' label names (e.g. negative / positive).
    for (int i = 0; i < m_textBoxes.size() && i < m_labels.size(); ++i)
        if (m_textBoxes[i]->name() == tr("class %1").arg(i + 1))
            m_textBoxes[i]->setName(m_labels[i]);
    updateAdaptButton();
}

void AdaptPage::updateAdaptButton()
{
    bool ready = m_loaded && !m_busy && m_textModel == isTextMode();
    // Text mode: the button stays on, so a missing sentence or name gets a message on click.
    if (!isTextMode())
        for (auto* bin : m_bins)
            ready = ready && !bin->files().isEmpty() && !bin->name().isEmpty();
    m_adapt->setEnabled(ready);
    m_reset->setEnabled(m_loaded && !m_busy);
    m_export->setEnabled(m_loaded && m_adapted && !m_busy);
}

void AdaptPage::askExportFile()
{
    const QString start =
        m_exportPath.isEmpty() ? QDir::home().filePath(QStringLiteral("adapted-model.pt")) : m_exportPath;
    QString f = QFileDialog::getSaveFileName(this, tr("Export the adapted model"), start,
                                             tr("TorchScript models (*.pt)"));
    if (f.isEmpty())
        return;
    if (QFileInfo(f).suffix().isEmpty())
        f += QStringLiteral(".pt");
    exportTo(f);
}

void AdaptPage::exportTo(const QString& path)
{
    m_exportPath = path;
    showMessage(tr("Exporting to %1...").arg(QDir::toNativeSeparators(path)), false);
    m_session->exportModel(path);
}

QStringList AdaptPage::queryItems() const
{
    return isTextMode() ? m_textQueries->sentences() : m_queries->files();
}

QVector<QPair<QString, QStringList>> AdaptPage::textSupport()
{
    QVector<QPair<QString, QStringList>> support;
    QStringList names;
    QString problem;
    for (int i = 0; i < m_textBoxes.size() && problem.isEmpty(); ++i) {
        const auto* box = m_textBoxes[i];
        if (box->name().isEmpty())
            problem = tr("Class %1 has no name: type one above its sentences.").arg(i + 1);
        else if (names.contains(box->name()))
            problem = tr("Two classes are called \"%1\": give each class its own name.").arg(box->name());
        else if (box->sentences().isEmpty())
            problem =
                tr("Class \"%1\" has no sentence: type at least one example, one per line.").arg(box->name());
        names << box->name();
        support.append({box->name(), box->sentences()});
    }
    if (problem.isEmpty() && support.size() < 2)
        problem = tr("Adapting needs at least 2 classes.");
    if (!problem.isEmpty()) {
        showMessage(problem, true);
        return {};
    }
    return support;
}

void AdaptPage::clearLoss()
{
    m_losses.clear();
    m_lossSeries->clear();
}

void AdaptPage::adapt()
{
    if (!m_loaded)
        return showMessage(tr("Load a checkpoint first."), true);
    if (const QString m = kindMismatch(); !m.isEmpty())
        return showMessage(m, true);
    QVector<SupportBin> support;
    if (isTextMode()) {
        support = textSupport();
        if (support.isEmpty())
            return;
    } else {
        for (auto* bin : m_bins)
            support.append({bin->name(), bin->files()});
    }
    m_repredict->stop(); // adapting predicts the current queries anyway
    clearLoss();
    m_adapted = false;
    showMessage(tr("Adapting..."), false);
    m_session->adapt(support, m_steps->value(), queryItems(), isTextMode());
}

void AdaptPage::resetModel()
{
    m_repredict->stop();
    clearLoss();
    m_adapted = false;
    updateAdaptButton();
    m_session->reset(queryItems(), isTextMode());
}

} // namespace maml::ui
