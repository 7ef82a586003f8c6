#pragma once
// Live training curves: loss and accuracy (raw and smoothed), validation accuracy with its
// 95% CI band, iterations per second; other runs can be overlaid for comparison.

#include "ui/train/run_history.h"

#include <QList>
#include <QPointF>
#include <QWidget>

class QAreaSeries;
class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace maml::ui {

class TrainingCharts final : public QWidget {
    Q_OBJECT
public:
    explicit TrainingCharts(QWidget* parent = nullptr);

    /// Replaces the current run's curves (e.g. a run dir just opened).
    void setCurrent(const RunHistory& history);
    /// Adds points of the current run (from the training worker) and repaints once.
    void append(const QVector<TrainProgress>& points);
    void addOverlay(const RunHistory& history);
    void clearOverlays();
    const RunHistory& current() const { return m_current; }
    int overlayCount() const { return m_overlays.size(); }
    /// How many times the series were replaced (tests check the charts follow the worker).
    int refreshCount() const { return m_refreshes; }
    /// Whether the validation curves show their points as dots (while there are few: one point
    /// draws no line).
    bool validationAsDots() const;
    /// Points currently plotted in the raw training-loss series.
    int plottedPoints() const;
    /// Whether the MAML++ learned-learning-rate chart is shown (the run has LSLR), and its lines
    /// (one per adapted weight tensor, over the inner steps; named in the legend when there are
    /// few, else by hovering).
    bool showsInnerLrs() const;
    int innerLrLines() const;

private:
    struct Chart {
        QChart* chart = nullptr;
        QChartView* view = nullptr;
        QValueAxis* x = nullptr;
        QValueAxis* y = nullptr;
    };
    Chart makeChart(const QString& title, const QString& yTitle);
    QLineSeries* addLine(Chart& c, const QString& name, const QColor& color, qreal width);
    void refresh();
    void refreshOverlays();
    void fitAxes();
    void refreshInnerLrs();

    RunHistory m_current;
    QList<RunHistory> m_overlays;
    Chart m_loss, m_accuracy, m_speed, m_lrs;
    QLineSeries *m_lossRaw, *m_lossSmooth, *m_valLoss;
    QLineSeries *m_accRaw, *m_accSmooth, *m_valAcc, *m_valUpper, *m_valLower;
    QAreaSeries* m_valBand;
    QLineSeries* m_itsSeries;
    QList<QLineSeries*> m_overlaySeries;
    QList<QLineSeries*> m_lrSeries;
    InnerLrTable m_shownLrs; ///< what m_lrSeries plots
    int m_refreshes = 0;
};

} // namespace maml::ui
