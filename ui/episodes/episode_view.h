#pragma once
// The episode grid: a support row per class with its name, then the query rows. Images as
// tiles; the sentences of a text episode as word-wrapped cards, one under the other.

#include "ui/episodes/episode_picture.h"

#include <QWidget>

class QGridLayout;

namespace maml::ui {

class EpisodeView final : public QWidget {
    Q_OBJECT
public:
    explicit EpisodeView(QWidget* parent = nullptr);

    void setPicture(const EpisodePicture& picture);
    const EpisodePicture& picture() const { return m_picture; }
    void setZoom(double zoom);
    double zoom() const { return m_zoom; }
    /// Number of image tiles (or sentences) currently shown (tests).
    int tileCount() const { return m_tiles; }
    /// The sentences shown, support first (empty for an image episode).
    QStringList sentences() const { return m_sentences; }

private:
    void rebuild();
    void clear();
    int addSection(int row, const QString& title, const QVector<QVector<EpisodeTile>>& rows, bool queries);
    QLayout* imageStrip(const QVector<EpisodeTile>& tiles, const QString& name, bool queries);
    QLayout* sentenceColumn(const QVector<EpisodeTile>& tiles);

    EpisodePicture m_picture;
    double m_zoom = 2.0;
    int m_tiles = 0;
    QStringList m_sentences;
    QGridLayout* m_grid = nullptr;
};

} // namespace maml::ui
