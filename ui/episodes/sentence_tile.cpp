#include "ui/episodes/sentence_tile.h"

#include <QApplication>
#include <QDrag>
#include <QMimeData>
#include <QMouseEvent>

namespace maml::ui {

SentenceTile::SentenceTile(const QString& source, double fontScale, QWidget* parent) : QLabel(parent)
{
    m_sentence = source;
    if (source.startsWith(QLatin1Char('[')) && source.indexOf(QLatin1String("] ")) > 0) {
        const int end = source.indexOf(QLatin1String("] "));
        m_domain = source.mid(1, end - 1);
        m_sentence = source.mid(end + 2);
    }
    setTextFormat(Qt::RichText);
    setText(m_domain.isEmpty() ? m_sentence.toHtmlEscaped()
                               : QStringLiteral("<span style='color:#757575'>%1</span>&nbsp; %2")
                                     .arg(m_domain.toHtmlEscaped(), m_sentence.toHtmlEscaped()));
    setWordWrap(true);
    setObjectName(QStringLiteral("sentenceTile"));
    setStyleSheet(QStringLiteral("#sentenceTile { background: palette(base); border: 1px solid palette(mid); "
                                 "border-radius: 3px; padding: 3px 6px; }"));
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * fontScale);
    setFont(f);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setCursor(Qt::OpenHandCursor);
    setToolTip(tr("Drag the sentence to a text box of the Adapt page"));
}

void SentenceTile::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        m_pressPos = event->position().toPoint();
    QLabel::mousePressEvent(event);
}

void SentenceTile::mouseMoveEvent(QMouseEvent* event)
{
    if (!(event->buttons() & Qt::LeftButton) ||
        (event->position().toPoint() - m_pressPos).manhattanLength() < QApplication::startDragDistance())
        return QLabel::mouseMoveEvent(event);
    auto* mime = new QMimeData;
    mime->setText(m_sentence);
    auto* drag = new QDrag(this);
    drag->setMimeData(mime);
    drag->exec(Qt::CopyAction);
}

} // namespace maml::ui
