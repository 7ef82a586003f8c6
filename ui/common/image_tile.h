#pragma once
// A picture in a grid that can be dragged out (to the Adapt page's bins, or a file manager), or
// saved and copied from its context menu.

#include <QImage>
#include <QLabel>
#include <QPoint>

namespace maml::ui {

/// Shows `image` scaled by an integer-ish zoom; dragging it offers the image as a PNG file
/// URL (written to a temporary folder) plus the image itself and `dragText` as plain text.
class ImageTile final : public QLabel {
    Q_OBJECT
public:
    ImageTile(const QImage& image, double zoom, QWidget* parent = nullptr);
    const QImage& image() const { return m_image; }
    /// Text carried by a drag (the class name in the episode viewer).
    void setDragText(const QString& text) { m_dragText = text; }
    void setFrameColor(const QColor& color);

    /// Writes `image` as a PNG in the drag folder and returns its path.
    static QString writeDragFile(const QImage& image, const QString& hint);

    /// Saves the image at its own resolution (not the zoomed picture) as `path`, through a
    /// temporary file renamed into place. False with the reason in `error` if it cannot.
    bool saveImage(const QString& path, QString* error = nullptr) const;

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    QImage m_image;
    QString m_dragText;
    QPoint m_pressPos;
};

} // namespace maml::ui
