#include "ui/adapt/image_drop.h"

#include "ui/common/image_tile.h"

#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QMimeData>
#include <QObject>
#include <QUrl>

namespace maml::ui {
namespace {

QString checkImage(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return QObject::tr("%1 does not exist").arg(path);
    if (info.isDir())
        return QObject::tr("%1 is a folder, not an image").arg(info.fileName());
    QImageReader reader(path);
    if (!reader.canRead())
        return QObject::tr("%1 is not a readable image (%2); it was left out")
            .arg(info.fileName(), reader.errorString());
    if (reader.read().isNull())
        return QObject::tr("%1 could not be decoded (%2); it was left out")
            .arg(info.fileName(), reader.errorString());
    return {};
}

} // namespace

DroppedImages readImageFiles(const QStringList& paths)
{
    QMimeData mime;
    QList<QUrl> urls;
    for (const auto& p : paths)
        urls << QUrl::fromLocalFile(p);
    mime.setUrls(urls);
    return readDroppedImages(&mime);
}

bool canDropImages(const QMimeData* mime)
{
    return mime && (mime->hasUrls() || mime->hasImage());
}

DroppedImages readDroppedImages(const QMimeData* mime)
{
    DroppedImages out;
    if (!mime)
        return out;
    if (mime->hasUrls()) {
        for (const QUrl& url : mime->urls()) {
            if (!url.isLocalFile()) {
                out.rejected << QObject::tr("%1 is not a local file; download it first").arg(url.toString());
                continue;
            }
            const QString path = url.toLocalFile();
            const QString problem = checkImage(path);
            if (problem.isEmpty())
                out.files << path;
            else
                out.rejected << problem;
        }
        return out;
    }
    if (mime->hasImage()) {
        const auto image = qvariant_cast<QImage>(mime->imageData());
        if (!image.isNull())
            out.files << ImageTile::writeDragFile(image, mime->text().isEmpty() ? QStringLiteral("image")
                                                                                : mime->text());
    }
    return out;
}

} // namespace maml::ui
