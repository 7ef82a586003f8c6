#pragma once
// An episode as images and names: what the episode viewer draws (no tensors).

#include "core/engine/data_kind.h"

#include <QImage>
#include <QString>
#include <QStringList>
#include <QVector>

#include <cstdint>

namespace maml {
struct Episode;
struct ExperimentConfig;
} // namespace maml

namespace maml::ui {

/// One picture of the grid.
struct EpisodeTile {
    QImage image;
    int label = 0;  ///< episode label (row)
    QString source; ///< where the image comes from (tooltip)
};

/// Support and query images per episode label, plus the class names. For a text episode the
/// tiles have no image and `source` is the sentence ("[domain] sentence").
struct EpisodePicture {
    bool text = false;
    QStringList classNames;
    QVector<QVector<EpisodeTile>> support; ///< [label][k]
    QVector<QVector<EpisodeTile>> queries; ///< [label][q]
    uint64_t seed = 0;
    QString description; ///< e.g. "glyphs test split: 40 classes, 5-way 1-shot 15-query"
};

/// Samples the episode `seed` of `split` with the same task source training uses
/// (maml::makeTaskSource). Throws maml::Error for impossible requests. Call off the GUI thread.
EpisodePicture sampleEpisodePicture(const ExperimentConfig& config, const QString& split, uint64_t seed);

/// Converts an already sampled episode (e.g. by the evaluator) of data of `kind`.
EpisodePicture pictureOf(const Episode& episode, DataKind kind);

} // namespace maml::ui
