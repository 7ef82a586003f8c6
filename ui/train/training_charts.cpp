#include "ui/train/training_charts.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLineSeries>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace maml::ui {
namespace {

constexpr int kMaxPlotted = 1500;   // long histories are thinned before plotting
constexpr double kSmoothing = 0.95; // exponential moving average factor

template <typename Get>
QList<QPointF> curve(const QVector<TrainProgress>& points, Get get, bool smooth = false)
{
    QList<QPointF> out;
    const int n = points.size();
    const int stride = std::max(1, (n + kMaxPlotted - 1) / kMaxPlotted);
    double ema = 0, weight = 0;
    for (int i = 0; i < n; ++i) {
        const double v = get(points[i]);
        // Debiased moving average: it does not drag the first value along.
        ema = kSmoothing * ema + (1 - kSmoothing) * v;
        weight = kSmoothing * weight + (1 - kSmoothing);
        if (i % stride == 0 || i == n - 1)
            out.append(QPointF(static_cast<qreal>(points[i].iteration), smooth ? ema / weight : v));
    }
    return out;
}

const QColor kOverlayColors[] = {QColor(0x8e, 0x24, 0xaa), QColor(0x00, 0x89, 0x7b), QColor(0x6d, 0x4c, 0x41),
                                 QColor(0xc2, 0x18, 0x5b)};

} // namespace

TrainingCharts::TrainingCharts(QWidget* parent) : QWidget(parent)
{
    m_loss = makeChart(tr("Meta-training loss"), tr("loss"));
    m_accuracy = makeChart(tr("Accuracy"), tr("accuracy (%)"));
    m_speed = makeChart(tr("Speed (iterations per second, validation included)"), tr("it/s"));
    m_lossRaw = addLine(m_loss, tr("train (raw)"), QColor(0x90, 0xca, 0xf9), 1);
    m_lossSmooth = addLine(m_loss, tr("train (smoothed)"), QColor(0x15, 0x65, 0xc0), 2.5);
    m_valLoss = addLine(m_loss, tr("validation"), QColor(0xef, 0x6c, 0x00), 2.5);
    m_accRaw = addLine(m_accuracy, tr("train (raw)"), QColor(0x90, 0xca, 0xf9), 1);
    m_accSmooth = addLine(m_accuracy, tr("train (smoothed)"), QColor(0x15, 0x65, 0xc0), 2.5);
    m_valUpper = new QLineSeries(this);
    m_valLower = new QLineSeries(this);
    m_valBand = new QAreaSeries(m_valUpper, m_valLower);
    m_valBand->setName(tr("validation 95% CI"));
    m_valBand->setColor(QColor(0xef, 0x6c, 0x00, 60));
    m_valBand->setBorderColor(QColor(0xef, 0x6c, 0x00, 0));
    m_accuracy.chart->addSeries(m_valBand);
    m_valBand->attachAxis(m_accuracy.x);
    m_valBand->attachAxis(m_accuracy.y);
    m_valAcc = addLine(m_accuracy, tr("validation"), QColor(0xef, 0x6c, 0x00), 2.5);
    m_itsSeries = addLine(m_speed, tr("iterations / s"), QColor(0x2e, 0x7d, 0x32), 2);
    m_speed.chart->legend()->hide();
    // MAML++ LSLR: the learned inner learning rates, beside the speed while the run has them.
    m_lrs = makeChart(tr("Learned inner learning rates (LSLR)"), tr("rate"));
    m_lrs.x->setTitleText(tr("inner step"));
    m_lrs.chart->legend()->setAlignment(Qt::AlignRight);
    QFont small = m_lrs.chart->legend()->font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    m_lrs.chart->legend()->setFont(small);
    m_lrs.view->hide();

    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(m_loss.view, 0, 0);
    grid->addWidget(m_accuracy.view, 0, 1);
    auto* bottom = new QHBoxLayout; // a hidden chart gives its width to the speed chart
    bottom->addWidget(m_speed.view, 1);
    bottom->addWidget(m_lrs.view, 1);
    grid->addLayout(bottom, 1, 0, 1, 2);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(1, 1);
    refresh();
}

TrainingCharts::Chart TrainingCharts::makeChart(const QString& title, const QString& yTitle)
{
    Chart c;
    c.chart = new QChart;
    c.chart->setTitle(title);
    c.chart->legend()->setAlignment(Qt::AlignBottom);
    c.chart->setMargins(QMargins(4, 4, 4, 4));
    c.x = new QValueAxis;
    c.x->setTitleText(tr("iteration"));
    c.x->setLabelFormat(QStringLiteral("%d"));
    c.y = new QValueAxis;
    c.y->setTitleText(yTitle);
    c.chart->addAxis(c.x, Qt::AlignBottom);
    c.chart->addAxis(c.y, Qt::AlignLeft);
    c.view = new QChartView(c.chart);
    c.view->setRenderHint(QPainter::Antialiasing);
    c.view->setMinimumSize(280, 160);
    return c;
}

QLineSeries* TrainingCharts::addLine(Chart& c, const QString& name, const QColor& color, qreal width)
{
    auto* s = new QLineSeries;
    s->setName(name);
    QPen pen(color);
    pen.setWidthF(width);
    s->setPen(pen);
    c.chart->addSeries(s);
    s->attachAxis(c.x);
    s->attachAxis(c.y);
    return s;
}

void TrainingCharts::setCurrent(const RunHistory& history)
{
    m_current = history;
    refresh();
}

void TrainingCharts::append(const QVector<TrainProgress>& points)
{
    for (const auto& p : points)
        m_current.add(p);
    refresh();
}

void TrainingCharts::addOverlay(const RunHistory& history)
{
    m_overlays.append(history);
    refreshOverlays();
    fitAxes();
}

void TrainingCharts::clearOverlays()
{
    m_overlays.clear();
    refreshOverlays();
    fitAxes();
}

int TrainingCharts::plottedPoints() const
{
    return m_lossRaw->count();
}

void TrainingCharts::refresh()
{
    const auto& t = m_current.train;
    const auto& v = m_current.validation;
    // replace(): one repaint per series instead of one per point.
    m_lossRaw->replace(curve(t, [](const TrainProgress& p) { return p.trainLoss; }));
    m_lossSmooth->replace(curve(
        t, [](const TrainProgress& p) { return p.trainLoss; }, true));
    m_valLoss->replace(curve(v, [](const TrainProgress& p) { return p.valLoss; }));
    m_accRaw->replace(curve(t, [](const TrainProgress& p) { return 100 * p.trainAccuracy; }));
    m_accSmooth->replace(curve(
        t, [](const TrainProgress& p) { return 100 * p.trainAccuracy; }, true));
    m_valAcc->replace(curve(v, [](const TrainProgress& p) { return 100 * p.valAccuracy; }));
    m_valUpper->replace(curve(v, [](const TrainProgress& p) { return 100 * (p.valAccuracy + p.valCi95); }));
    m_valLower->replace(curve(v, [](const TrainProgress& p) { return 100 * (p.valAccuracy - p.valCi95); }));
    m_itsSeries->replace(curve(t, [](const TrainProgress& p) { return p.itersPerSecond; }));
    // A line needs two points: until then (and while they are few) the validations are dots.
    const bool dots = v.size() <= 20;
    m_valLoss->setPointsVisible(dots);
    m_valAcc->setPointsVisible(dots);
    refreshInnerLrs();
    fitAxes();
    ++m_refreshes;
}

void TrainingCharts::refreshInnerLrs()
{
    const auto& t = m_current.innerLrs;
    if (t.names == m_shownLrs.names && t.rates == m_shownLrs.rates)
        return; // changes only at validations
    m_shownLrs = t;
    for (auto* s : m_lrSeries) {
        m_lrs.chart->removeSeries(s);
        delete s;
    }
    m_lrSeries.clear();
    m_lrs.view->setVisible(!t.empty());
    double low = 0, high = 0;
    int steps = 1;
    bool first = true;
    for (size_t i = 0; i < t.names.size(); ++i) {
        const QColor color =
            QColor::fromHsv(static_cast<int>(300 * i / std::max<size_t>(1, t.names.size())), 200, 190);
        auto* line = addLine(m_lrs, QString::fromStdString(t.names[i]), color, 1.5);
        QList<QPointF> points;
        for (size_t k = 0; k < t.rates[i].size(); ++k) {
            const double r = t.rates[i][k];
            points.append(QPointF(static_cast<qreal>(k + 1), r));
            low = first ? r : std::min(low, r);
            high = first ? r : std::max(high, r);
            first = false;
        }
        steps = std::max(steps, static_cast<int>(t.rates[i].size()));
        line->replace(points);
        line->setPointsVisible(t.rates[i].size() <= 2);
        const QString name = QString::fromStdString(t.names[i]);
        connect(line, &QLineSeries::hovered, this, [name](const QPointF& at, bool entered) {
            if (entered) // the legend cannot name twenty lines in a small chart: hovering does
                QToolTip::showText(
                    QCursor::pos(),
                    tr("%1, step %2: %3").arg(name).arg(qRound(at.x())).arg(at.y(), 0, 'g', 3));
        });
        m_lrSeries << line;
    }
    m_lrs.chart->legend()->setVisible(m_lrSeries.size() <= 6);
    const double margin = std::max(1e-6, 0.08 * (high - low));
    m_lrs.x->setRange(1, std::max(2, steps));
    m_lrs.x->setTickCount(std::min(std::max(2, steps), 11));
    m_lrs.y->setRange(std::min(0.0, low - margin), high + margin);
}

bool TrainingCharts::showsInnerLrs() const
{
    return m_lrs.view->isVisibleTo(this);
}

int TrainingCharts::innerLrLines() const
{
    return m_lrSeries.size();
}

bool TrainingCharts::validationAsDots() const
{
    return m_valAcc->pointsVisible() && m_valLoss->pointsVisible();
}

void TrainingCharts::refreshOverlays()
{
    for (auto* s : m_overlaySeries) {
        s->chart()->removeSeries(s);
        delete s;
    }
    m_overlaySeries.clear();
    for (int i = 0; i < m_overlays.size(); ++i) {
        const auto& run = m_overlays[i];
        const QColor color = kOverlayColors[i % 4];
        auto* loss = addLine(m_loss, tr("%1 train").arg(run.name), color, 1.5);
        loss->replace(curve(
            run.train, [](const TrainProgress& p) { return p.trainLoss; }, true));
        auto* acc = addLine(m_accuracy, tr("%1 validation").arg(run.name), color, 2);
        acc->replace(curve(run.validation, [](const TrainProgress& p) { return 100 * p.valAccuracy; }));
        if (run.validation.isEmpty())
            acc->replace(curve(
                run.train, [](const TrainProgress& p) { return 100 * p.trainAccuracy; }, true));
        m_overlaySeries << loss << acc;
    }
}

void TrainingCharts::fitAxes()
{
    double maxIter = std::max<double>(10, static_cast<double>(m_current.iterations));
    double maxLoss = 0.1, maxIts = 0.1;
    auto scan = [&](const RunHistory& run) {
        for (const auto& p : run.train) {
            maxIter = std::max<double>(maxIter, static_cast<double>(p.iteration));
            if (std::isfinite(p.trainLoss))
                maxLoss = std::max(maxLoss, p.trainLoss);
            maxIts = std::max(maxIts, p.itersPerSecond);
        }
        for (const auto& p : run.validation)
            if (std::isfinite(p.valLoss))
                maxLoss = std::max(maxLoss, p.valLoss);
    };
    scan(m_current);
    for (const auto& run : m_overlays)
        scan(run);
    for (auto* c : {&m_loss, &m_accuracy, &m_speed})
        c->x->setRange(0, maxIter);
    m_loss.y->setRange(0, maxLoss * 1.05);
    m_accuracy.y->setRange(0, 100);
    m_speed.y->setRange(0, maxIts * 1.15);
}

} // namespace maml::ui
