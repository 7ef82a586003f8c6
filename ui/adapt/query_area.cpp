#include "ui/adapt/query_area.h"

#include "ui/adapt/image_drop.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QGridLayout>
#include <QImageReader>
#include <QLabel>
#include <QMimeData>
#include <QPainter>
#include <QUrl>
#include <QVBoxLayout>

namespace maml::ui {

ProbabilityBars::ProbabilityBars(QWidget* parent) : QWidget(parent)
{
    setMinimumWidth(150);
}

void ProbabilityBars::setPrediction(const QueryPrediction& p)
{
    m_prediction = p;
    updateGeometry();
    update();
}

QSize ProbabilityBars::sizeHint() const
{
    return QSize(170, 16 * std::max<int>(1, m_prediction.probabilities.size()));
}

void ProbabilityBars::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    const auto& p = m_prediction;
    const int rowHeight = 16;
    const int nameWidth = 70;
    for (int i = 0; i < p.probabilities.size(); ++i) {
        const QRect row(0, i * rowHeight, width(), rowHeight - 2);
        const QString name = i < p.classNames.size() ? p.classNames[i] : QString::number(i);
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRect(row.left(), row.top(), nameWidth - 4, row.height()),
                         Qt::AlignVCenter | Qt::AlignRight,
                         painter.fontMetrics().elidedText(name, Qt::ElideRight, nameWidth - 4));
        const int barWidth = static_cast<int>((row.width() - nameWidth - 36) * p.probabilities[i]);
        const bool best = name == p.className;
        painter.fillRect(QRect(nameWidth, row.top() + 2, barWidth, row.height() - 4),
                         best ? QColor(0x15, 0x65, 0xc0) : QColor(0x90, 0xca, 0xf9));
        painter.drawText(QRect(nameWidth + barWidth + 3, row.top(), 40, row.height()), Qt::AlignVCenter,
                         QStringLiteral("%1%").arg(qRound(100 * p.probabilities[i])));
    }
}

QueryArea::QueryArea(QWidget* parent) : QFrame(parent)
{
    setFrameShape(QFrame::StyledPanel);
    setAcceptDrops(true);
    auto* layout = new QVBoxLayout(this);
    m_hint = new QLabel(tr("<i>Drop query images here: the adapted model says which class each one is.</i>"));
    m_hint->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_hint);
    m_grid = new QGridLayout;
    layout->addLayout(m_grid);
    layout->addStretch(1);
}

QStringList QueryArea::addFiles(const QStringList& paths)
{
    const DroppedImages dropped = readImageFiles(paths);
    for (const auto& f : dropped.files)
        addCard(f);
    if (!dropped.files.isEmpty())
        Q_EMIT changed();
    return dropped.rejected;
}

void QueryArea::addCard(const QString& path)
{
    if (m_files.contains(path))
        return;
    m_files << path;
    Card card;
    card.widget = new QWidget;
    auto* image = new QLabel;
    QImageReader reader(path);
    reader.setScaledSize(QSize(64, 64));
    image->setPixmap(QPixmap::fromImage(reader.read()));
    image->setToolTip(path);
    card.label = new QLabel(tr("not adapted yet"));
    card.label->setObjectName(QStringLiteral("predictionLabel"));
    card.bars = new ProbabilityBars;
    auto* l = new QVBoxLayout(card.widget);
    l->setContentsMargins(4, 4, 4, 4);
    l->addWidget(image, 0, Qt::AlignHCenter);
    l->addWidget(card.label, 0, Qt::AlignHCenter);
    l->addWidget(card.bars);
    m_cards.append(card);
    relayout();
}

void QueryArea::relayout()
{
    const int columns = 5;
    for (int i = 0; i < m_cards.size(); ++i)
        m_grid->addWidget(m_cards[i].widget, i / columns, i % columns, Qt::AlignTop);
    m_hint->setVisible(m_cards.isEmpty());
}

void QueryArea::clear()
{
    for (auto& c : m_cards)
        delete c.widget;
    m_cards.clear();
    m_files.clear();
    m_predicted = 0;
    relayout();
    Q_EMIT changed();
}

void QueryArea::setPredictions(const QVector<QueryPrediction>& predictions)
{
    m_predicted = 0;
    for (int i = 0; i < m_cards.size(); ++i) {
        auto& card = m_cards[i];
        const auto it = std::find_if(predictions.begin(), predictions.end(),
                                     [&](const QueryPrediction& p) { return p.file == m_files[i]; });
        if (it == predictions.end()) {
            card.label->setText(tr("not adapted yet"));
            card.bars->setPrediction({});
            continue;
        }
        const int best = static_cast<int>(
            std::max_element(it->probabilities.begin(), it->probabilities.end()) - it->probabilities.begin());
        card.label->setText(tr("<b>%1</b> (%2%)")
                                .arg(it->className.toHtmlEscaped())
                                .arg(qRound(100 * it->probabilities.value(best))));
        card.bars->setPrediction(*it);
        ++m_predicted;
    }
}

QString QueryArea::predictionText(const QString& file) const
{
    const int i = m_files.indexOf(file);
    return i < 0 ? QString() : m_cards[i].label->text();
}

void QueryArea::dragEnterEvent(QDragEnterEvent* event)
{
    if (canDropImages(event->mimeData()))
        event->acceptProposedAction();
}

void QueryArea::dragMoveEvent(QDragMoveEvent* event)
{
    if (canDropImages(event->mimeData()))
        event->acceptProposedAction();
}

void QueryArea::dropEvent(QDropEvent* event)
{
    const DroppedImages dropped = readDroppedImages(event->mimeData());
    for (const auto& f : dropped.files)
        addCard(f);
    event->acceptProposedAction();
    if (!dropped.files.isEmpty())
        Q_EMIT changed();
    if (!dropped.rejected.isEmpty())
        Q_EMIT rejected(dropped.rejected);
}

} // namespace maml::ui
