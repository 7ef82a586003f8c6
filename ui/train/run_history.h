#pragma once
// The curves of a run directory (metrics.jsonl), for the dashboard and run overlays.

#include "core/engine/progress.h"

#include <nlohmann/json.hpp>

#include <QMetaType>
#include <QString>
#include <QVector>

Q_DECLARE_METATYPE(maml::TrainProgress)

namespace maml::ui {

/// One run's curves: every train point and every validation point, in iteration order.
struct RunHistory {
    QString name; ///< shown in legends (the run folder's name)
    QString dir;
    QVector<TrainProgress> train;
    QVector<TrainProgress> validation;
    int64_t iterations = 0;    ///< planned iterations (0 if unknown)
    double lastSeconds = 0;    ///< "seconds" of the last record added
    int64_t lastIteration = 0; ///< "iteration" of the last record added
    /// Why config.json could not be read (empty when it was read, or is absent): the curves
    /// still show, but the run cannot be continued until the file is fixed.
    QString configProblem;
    /// MAML++ LSLR: the learned inner learning rates of the latest validation (empty: LSLR off).
    InnerLrTable innerLrs;

    void add(const TrainProgress& p);
    /// Adds the points of one metrics.jsonl record (a train point, and a validation point when
    /// the record has one) and returns them. Speed and ETA come from the slope since the
    /// previous record (the file keeps cumulative seconds).
    QVector<TrainProgress> addRecord(const nlohmann::json& record);
    /// Reads DIR/metrics.jsonl (and config.json for the planned iterations). Throws maml::Error
    /// if DIR holds no run; a truncated last line is skipped, and so is a line whose iteration
    /// or values are out of range (a hand-edited 1e300 must not reach the widgets).
    static RunHistory load(const QString& dir);
};

} // namespace maml::ui
