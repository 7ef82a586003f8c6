#pragma once
// A searchable checklist of a split's classes with a thumbnail each, and "N random classes".
// The thumbnails are decoded on a worker thread: a placeholder first, the image when it is ready.

#include "ui/common/worker_thread.h"

#include <QImage>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <atomic>
#include <memory>
#include <utility>
#include <vector>

class QLineEdit;
class QListWidget;
class QSpinBox;
class QLabel;

namespace maml {
class ImageDataset;
}

namespace maml::ui {

class ClassPicker final : public QWidget {
    Q_OBJECT
public:
    explicit ClassPicker(QWidget* parent = nullptr);

    /// Shows the classes `pool` of `dataset` (thumbnails are the first image of each class,
    /// loaded in the background).
    void setClasses(std::shared_ptr<const ImageDataset> dataset, const std::vector<int>& pool);
    /// True while thumbnails are still being decoded.
    bool isLoading() const { return m_loadingThumbnails; }
    /// Checked class names (empty = the whole split).
    QStringList checkedNames() const;
    void setCheckedNames(const QStringList& names);
    /// Checks `count` classes drawn at random (seeded by `seed`) from the shown classes.
    void checkRandom(int count, unsigned seed);
    int classCount() const;

Q_SIGNALS:
    void selectionChanged();
    /// Every thumbnail of the classes shown has arrived.
    void thumbnailsLoaded();

private:
    using Thumbnails = QVector<std::pair<int, QImage>>; ///< (row, image)
    void applyFilter(const QString& text);
    void updateSummary();
    void loadThumbnails(std::shared_ptr<const ImageDataset> dataset, const std::vector<int>& pool);
    void showThumbnails(int generation, const Thumbnails& thumbnails, bool last);

    QLineEdit* m_search = nullptr;
    QListWidget* m_list = nullptr;
    QSpinBox* m_randomCount = nullptr;
    QLabel* m_summary = nullptr;
    bool m_updating = false;
    bool m_loadingThumbnails = false;
    /// Bumped by setClasses(): a worker still decoding older classes stops, its images are dropped.
    std::shared_ptr<std::atomic<int>> m_generation = std::make_shared<std::atomic<int>>(0);
    WorkerThread m_worker{QStringLiteral("thumbnails"), QThread::LowPriority}; ///< last: stops first
};

} // namespace maml::ui
