#pragma once
// Which dropped items are readable images: shared by the Adapt page's bins and query area.

#include <QStringList>

class QMimeData;

namespace maml::ui {

struct DroppedImages {
    QStringList files;    ///< local image files that decode
    QStringList rejected; ///< one message per item left out, naming it and saying why
};

/// Local file URLs that QImageReader can decode are accepted; anything else (a text file, a
/// folder, a remote URL, a broken image) is rejected with a message. Image data without a
/// URL (e.g. from a browser) is written to a temporary PNG and accepted.
DroppedImages readDroppedImages(const QMimeData* mime);
/// The same checks for local files given by path (what a drop of those files would give).
DroppedImages readImageFiles(const QStringList& paths);
/// Whether the mime data offers anything readDroppedImages could look at.
bool canDropImages(const QMimeData* mime);

} // namespace maml::ui
