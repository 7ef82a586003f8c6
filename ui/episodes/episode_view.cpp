#include "ui/episodes/episode_view.h"

#include "ui/common/image_tile.h"
#include "ui/episodes/sentence_tile.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace maml::ui {

EpisodeView::EpisodeView(QWidget* parent) : QWidget(parent)
{
    m_grid = new QGridLayout(this);
    m_grid->setHorizontalSpacing(12);
    m_grid->setVerticalSpacing(4);
    m_grid->setAlignment(Qt::AlignTop | Qt::AlignLeft);
}

void EpisodeView::setPicture(const EpisodePicture& picture)
{
    m_picture = picture;
    rebuild();
}

void EpisodeView::setZoom(double zoom)
{
    m_zoom = zoom;
    rebuild();
}

void EpisodeView::clear()
{
    while (auto* item = m_grid->takeAt(0)) {
        if (auto* w = item->widget())
            w->deleteLater();
        else if (auto* l = item->layout())
            while (auto* inner = l->takeAt(0)) {
                if (inner->widget())
                    inner->widget()->deleteLater();
                delete inner;
            }
        delete item;
    }
    m_tiles = 0;
    m_sentences.clear();
}

void EpisodeView::rebuild()
{
    clear();
    // Sentences take the whole width (word-wrapped); images stay left-aligned at their size.
    m_grid->setAlignment(m_picture.text ? Qt::Alignment(Qt::AlignTop) : Qt::AlignTop | Qt::AlignLeft);
    m_grid->setColumnStretch(1, m_picture.text ? 1 : 0);
    const QString unit = m_picture.text ? tr("sentences") : tr("images");
    int row = addSection(0, tr("Support set (K %1 per class)").arg(unit), m_picture.support, false);
    addSection(row + 1, tr("Query set (what the adapted model must classify)"), m_picture.queries, true);
}

QLayout* EpisodeView::imageStrip(const QVector<EpisodeTile>& tiles, const QString& name, bool queries)
{
    auto* strip = new QHBoxLayout;
    strip->setSpacing(2);
    for (const auto& tile : tiles) {
        auto* w = new ImageTile(tile.image, m_zoom);
        w->setDragText(name);
        w->setToolTip(
            tr("%1 (%2) - drag it to the Adapt page's bins or query area; right-click to save or copy it")
                .arg(tile.source.isEmpty() ? name : tile.source, queries ? tr("query") : tr("support")));
        w->setObjectName(queries ? QStringLiteral("queryTile") : QStringLiteral("supportTile"));
        strip->addWidget(w);
        ++m_tiles;
    }
    strip->addStretch(1);
    return strip;
}

QLayout* EpisodeView::sentenceColumn(const QVector<EpisodeTile>& tiles)
{
    auto* column = new QVBoxLayout;
    column->setSpacing(3);
    column->setContentsMargins(0, 0, 0, 6);
    // Zoom 2 (the default) is the normal font size.
    const double scale = 0.8 + 0.1 * m_zoom;
    for (const auto& tile : tiles) {
        auto* w = new SentenceTile(tile.source, scale);
        column->addWidget(w);
        m_sentences << w->sentence();
        ++m_tiles;
    }
    return column;
}

int EpisodeView::addSection(int row, const QString& title, const QVector<QVector<EpisodeTile>>& rows,
                            bool queries)
{
    auto* heading = new QLabel(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()));
    m_grid->addWidget(heading, row++, 0, 1, 2);
    for (int label = 0; label < rows.size(); ++label, ++row) {
        const QString name =
            label < m_picture.classNames.size() ? m_picture.classNames[label] : QString::number(label);
        auto* nameLabel = new QLabel(QStringLiteral("%1  <b>%2</b>").arg(label).arg(name.toHtmlEscaped()));
        nameLabel->setMinimumWidth(120);
        nameLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        m_grid->addWidget(nameLabel, row, 0, Qt::AlignTop);
        m_grid->addLayout(
            m_picture.text ? sentenceColumn(rows[label]) : imageStrip(rows[label], name, queries), row, 1);
    }
    return row;
}

} // namespace maml::ui
