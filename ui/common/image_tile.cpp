#include "ui/common/image_tile.h"

#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QCryptographicHash>
#include <QDir>
#include <QDrag>
#include <QFile>
#include <QFileDialog>
#include <QImageWriter>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUrl>

namespace maml::ui {
namespace {
/// `hint` as a file name: every character but letters, digits, '_' and '-' becomes '_'.
QString safeFileName(QString hint)
{
    return hint.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]")), QStringLiteral("_"));
}
} // namespace

ImageTile::ImageTile(const QImage& image, double zoom, QWidget* parent) : QLabel(parent), m_image(image)
{
    const QSize size = image.size() * zoom;
    setPixmap(QPixmap::fromImage(image.scaled(
        size, Qt::KeepAspectRatio, zoom >= 2 ? Qt::FastTransformation : Qt::SmoothTransformation)));
    setFixedSize(size + QSize(4, 4));
    setAlignment(Qt::AlignCenter);
    setCursor(Qt::OpenHandCursor);
}

void ImageTile::setFrameColor(const QColor& color)
{
    setStyleSheet(QStringLiteral("border: 2px solid %1;").arg(color.name()));
}

QString ImageTile::writeDragFile(const QImage& image, const QString& hint)
{
    const QString dir = QDir(QStandardPaths::writableLocation(QStandardPaths::TempLocation))
                            .filePath(QStringLiteral("maml-workbench-drag"));
    QDir().mkpath(dir);
    QByteArray png;
    {
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "PNG");
    }
    const auto hash = QCryptographicHash::hash(png, QCryptographicHash::Sha1).toHex().left(12);
    const QString path =
        QDir(dir).filePath(safeFileName(hint) + QLatin1Char('-') + hash + QStringLiteral(".png"));
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(png);
    return path;
}

bool ImageTile::saveImage(const QString& path, QString* error) const
{
    QSaveFile file(path);
    QImageWriter writer(&file, "PNG");
    const bool ok = file.open(QIODevice::WriteOnly) && writer.write(m_image) && file.commit();
    if (!ok && error)
        *error = tr("Could not save %1: %2")
                     .arg(path, writer.error() != QImageWriter::UnknownError ? writer.errorString()
                                                                             : file.errorString());
    return ok;
}

void ImageTile::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu menu(this);
    menu.addAction(tr("Save image..."), this, [this] {
        const QString name = safeFileName(m_dragText.isEmpty() ? QStringLiteral("image") : m_dragText);
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save the image (%1x%2)").arg(m_image.width()).arg(m_image.height()),
            QDir::home().filePath(name + QStringLiteral(".png")), tr("PNG image (*.png)"));
        QString error;
        if (!path.isEmpty() && !saveImage(path, &error))
            QMessageBox::warning(this, tr("Save image"), error);
    });
    menu.addAction(tr("Copy image"), this, [this] { QGuiApplication::clipboard()->setImage(m_image); });
    menu.exec(event->globalPos());
}

void ImageTile::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        m_pressPos = event->position().toPoint();
    QLabel::mousePressEvent(event);
}

void ImageTile::mouseMoveEvent(QMouseEvent* event)
{
    if (!(event->buttons() & Qt::LeftButton) ||
        (event->position().toPoint() - m_pressPos).manhattanLength() < QApplication::startDragDistance())
        return QLabel::mouseMoveEvent(event);
    auto* mime = new QMimeData;
    mime->setUrls({QUrl::fromLocalFile(writeDragFile(m_image, m_dragText))});
    mime->setImageData(m_image);
    mime->setText(m_dragText);
    auto* drag = new QDrag(this);
    drag->setMimeData(mime);
    drag->setPixmap(pixmap());
    drag->exec(Qt::CopyAction);
}

} // namespace maml::ui
