#include "ui/adapt_page.h"

#include "ui/adapt_session.h"
#include "ui/class_bin.h"
#include "ui/query_area.h"
#include "ui/workbench.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace maml::ui {

AdaptPage::AdaptPage(Workbench* workbench, QWidget* parent) : QWidget(parent), m_workbench(workbench)
{
    auto* title = new QLabel(tr("<h2>5. Adapt</h2>Teach the meta-learned model new classes from a few "
                                "examples: drop images (from your file manager or the Episodes page) into "
                                "the class bins, drop query images below, press Adapt."));
    title->setWordWrap(true);
    m_session = new AdaptSession(this);
    m_mode = new QComboBox;
    m_mode->addItem(tr("Images"), QStringLiteral("images"));
    // The text mode (issue 5) slots in here: a second bin/query widget set for sentences.
    m_mode->addItem(tr("Text (not available yet)"), QStringLiteral("text"));
    if (auto* model = qobject_cast<QStandardItemModel*>(m_mode->model()))
        model->item(1)->setEnabled(false);
    m_checkpoint = new QLineEdit;
    m_checkpoint->setObjectName(QStringLiteral("adaptCheckpoint"));
    auto* browse = new QPushButton(tr("..."));
    auto* load = new QPushButton(tr("Load"));
    m_model = new QLabel(tr("No model loaded."));
    m_classCount = new QSpinBox;
    m_classCount->setRange(2, 2);
    m_steps = new QSpinBox;
    m_steps->setRange(0, 1000);
    m_adapt = new QPushButton(tr("Adapt"));
    m_adapt->setObjectName(QStringLiteral("adaptButton"));
    m_adapt->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_reset = new QPushButton(tr("Reset to meta-parameters"));
    auto* clearQueries = new QPushButton(tr("Clear queries"));
    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("adaptMessage"));
    m_message->setWordWrap(true);
    m_queries = new QueryArea;
    m_binRow = new QHBoxLayout;

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
    controls->addWidget(clearQueries);
    controls->addStretch(1);
    auto* bins = new QWidget;
    bins->setLayout(m_binRow);
    bins->setMinimumHeight(190);
    auto* queryScroll = new QScrollArea;
    queryScroll->setWidget(m_queries);
    queryScroll->setWidgetResizable(true);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(queryScroll, 3);
    bottom->addWidget(buildLossChart(), 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(top);
    layout->addWidget(m_model);
    layout->addLayout(controls);
    layout->addWidget(bins, 2);
    layout->addWidget(m_message);
    layout->addLayout(bottom, 3);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Checkpoint"), m_checkpoint->text(),
                                                       tr("Checkpoints (*.pt)"));
        if (!f.isEmpty())
            loadCheckpoint(f);
    });
    connect(load, &QPushButton::clicked, this, [this] { loadCheckpoint(m_checkpoint->text()); });
    connect(m_classCount, &QSpinBox::valueChanged, this, &AdaptPage::setClassCount);
    connect(m_adapt, &QPushButton::clicked, this, &AdaptPage::adapt);
    connect(m_reset, &QPushButton::clicked, this, &AdaptPage::resetModel);
    connect(clearQueries, &QPushButton::clicked, m_queries, &QueryArea::clear);
    connect(m_queries, &QueryArea::rejected, this, [this](const QStringList& m) { showMessage(m.join(QLatin1Char('\n')), true); });
    connect(m_queries, &QueryArea::changed, this, [this] {
        m_session->predict(m_queries->files());
        updateAdaptButton();
    });
    connect(m_session, &AdaptSession::loaded, this, [this](int ways, int steps, const QString& description) {
        m_loaded = true;
        m_model->setText(tr("Model: %1").arg(description));
        m_classCount->setRange(2, std::max(2, ways));
        m_classCount->setValue(ways);
        setClassCount(ways);
        m_steps->setValue(steps);
        showMessage(tr("Model loaded. Drop at least one image into each bin."), false);
        updateAdaptButton();
    });
    connect(m_session, &AdaptSession::stepLoss, this, [this](int step, double loss) {
        m_losses << loss;
        QList<QPointF> points;
        for (int i = 0; i < m_losses.size(); ++i)
            points << QPointF(i + 1, m_losses[i]);
        m_lossSeries->replace(points);
        const int lastStep = std::max<int>(m_steps->value(), m_losses.size());
        m_lossX->setRange(0, lastStep);
        m_lossX->setTickCount(std::clamp(lastStep + 1, 2, 11)); // whole steps only
        m_lossY->setRange(0, *std::max_element(m_losses.begin(), m_losses.end()) * 1.1 + 1e-6);
    });
    connect(m_session, &AdaptSession::predicted, this, [this](const QVector<QueryPrediction>& p, bool adapted) {
        m_queries->setPredictions(p);
        showMessage(adapted ? tr("Adapted in %1 step(s); final support loss %2.")
                                  .arg(m_losses.size()).arg(m_losses.isEmpty() ? 0.0 : m_losses.last(), 0, 'f', 3)
                            : tr("Predictions of the meta-parameters, before adapting (near chance)."),
                    false);
        Q_EMIT predictionsShown();
    });
    connect(m_session, &AdaptSession::failed, this, [this](const QString& m) { showMessage(m, true); });
    connect(m_session, &AdaptSession::busyChanged, this, [this](bool busy) {
        m_busy = busy;
        updateAdaptButton();
    });
    connect(workbench, &Workbench::runDirChanged, this, [this] {
        if (m_checkpoint->text().isEmpty() || !m_loaded)
            m_checkpoint->setText(m_workbench->runCheckpoint());
    });
    setClassCount(2);
    updateAdaptButton();
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
    m_message->setStyleSheet(error ? QStringLiteral("color:#b00020") : QString());
    m_message->setText(text);
    Q_EMIT statusMessage(text.section(QLatin1Char('\n'), 0, 0));
}

void AdaptPage::loadCheckpoint(const QString& path)
{
    m_checkpoint->setText(path);
    m_loaded = false;
    showMessage(tr("Loading %1...").arg(path), false);
    m_session->load(path);
}

void AdaptPage::setClassCount(int count)
{
    while (m_bins.size() > count)
        delete m_bins.takeLast();
    while (m_bins.size() < count) {
        auto* bin = new ClassBin(tr("class %1").arg(m_bins.size() + 1));
        connect(bin, &ClassBin::rejected, this, [this](const QStringList& m) { showMessage(m.join(QLatin1Char('\n')), true); });
        connect(bin, &ClassBin::changed, this, &AdaptPage::updateAdaptButton);
        m_binRow->addWidget(bin);
        m_bins << bin;
    }
    updateAdaptButton();
}

void AdaptPage::updateAdaptButton()
{
    bool ready = m_loaded && !m_busy;
    for (auto* bin : m_bins)
        ready = ready && !bin->files().isEmpty() && !bin->name().isEmpty();
    m_adapt->setEnabled(ready);
    m_reset->setEnabled(m_loaded && !m_busy);
}

void AdaptPage::adapt()
{
    QVector<SupportBin> support;
    for (auto* bin : m_bins)
        support.append({bin->name(), bin->files()});
    m_losses.clear();
    m_lossSeries->clear();
    showMessage(tr("Adapting..."), false);
    m_session->adapt(support, m_steps->value(), m_queries->files());
}

void AdaptPage::resetModel()
{
    m_losses.clear();
    m_lossSeries->clear();
    m_session->reset(m_queries->files());
}

}  // namespace maml::ui
