#include "ui/adapt/class_bin.h"

#include "ui/adapt/image_drop.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QImageReader>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace maml::ui {

ClassBin::ClassBin(const QString& name, QWidget* parent) : QFrame(parent)
{
    setFrameShape(QFrame::StyledPanel);
    setAcceptDrops(true);
    setMinimumWidth(150);
    m_name = new QLineEdit(name);
    m_name->setObjectName(QStringLiteral("binName"));
    m_name->setPlaceholderText(tr("class name"));
    m_list = new QListWidget;
    m_list->setViewMode(QListView::IconMode);
    m_list->setIconSize(QSize(48, 48));
    m_list->setMovement(QListView::Static);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setAcceptDrops(false); // drops land on the frame
    m_list->setToolTip(tr("Drop example images of this class here"));
    auto* clearButton = new QPushButton(tr("Clear"));
    auto* hint = new QLabel(tr("<i>drop images here</i>"));
    hint->setAlignment(Qt::AlignCenter);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_name);
    layout->addWidget(m_list, 1);
    layout->addWidget(hint);
    layout->addWidget(clearButton);
    connect(clearButton, &QPushButton::clicked, this, &ClassBin::clear);
    connect(m_name, &QLineEdit::textChanged, this, &ClassBin::changed);
}

QString ClassBin::name() const
{
    return m_name->text().trimmed();
}

void ClassBin::setName(const QString& name)
{
    m_name->setText(name);
}

QStringList ClassBin::addFiles(const QStringList& paths)
{
    const DroppedImages dropped = readImageFiles(paths);
    for (const auto& f : dropped.files)
        addThumbnail(f);
    if (!dropped.files.isEmpty())
        Q_EMIT changed();
    return dropped.rejected;
}

void ClassBin::addThumbnail(const QString& path)
{
    if (m_files.contains(path))
        return;
    m_files << path;
    QImageReader reader(path);
    reader.setScaledSize(QSize(48, 48));
    auto* item = new QListWidgetItem(QPixmap::fromImage(reader.read()), QString(), m_list);
    item->setToolTip(path);
}

void ClassBin::clear()
{
    m_files.clear();
    m_list->clear();
    Q_EMIT changed();
}

void ClassBin::dragEnterEvent(QDragEnterEvent* event)
{
    if (canDropImages(event->mimeData()))
        event->acceptProposedAction();
}

void ClassBin::dragMoveEvent(QDragMoveEvent* event)
{
    if (canDropImages(event->mimeData()))
        event->acceptProposedAction();
}

void ClassBin::dropEvent(QDropEvent* event)
{
    const DroppedImages dropped = readDroppedImages(event->mimeData());
    for (const auto& f : dropped.files)
        addThumbnail(f);
    // A drop from the episode viewer names its class: use it for an unnamed bin.
    const QString text = event->mimeData()->text();
    if (!dropped.files.isEmpty() && m_name->text().startsWith(tr("class ")) && !text.isEmpty() &&
        !event->mimeData()->text().contains(QLatin1Char('/')))
        m_name->setText(text);
    event->acceptProposedAction();
    if (!dropped.files.isEmpty())
        Q_EMIT changed();
    if (!dropped.rejected.isEmpty())
        Q_EMIT rejected(dropped.rejected);
}

} // namespace maml::ui
