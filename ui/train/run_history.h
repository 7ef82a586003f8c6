#pragma once
// The curves of a run directory (metrics.jsonl), for the dashboard and run overlays.

#include "core/engine/progress.h"

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
    int64_t iterations = 0; ///< planned iterations (0 if unknown)

    void add(const TrainProgress& p);
    /// Reads DIR/metrics.jsonl (and config.json for the planned iterations). Throws maml::Error
    /// if DIR holds no run; a truncated last line is skipped.
    static RunHistory load(const QString& dir);
};

} // namespace maml::ui
