#pragma once
// A searchable checklist of a split's classes with a thumbnail each, and "N random classes".

#include <QStringList>
#include <QWidget>

#include <memory>
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

    /// Shows the classes `pool` of `dataset` (thumbnails are the first image of each class).
    void setClasses(std::shared_ptr<const ImageDataset> dataset, const std::vector<int>& pool);
    /// Checked class names (empty = the whole split).
    QStringList checkedNames() const;
    void setCheckedNames(const QStringList& names);
    /// Checks `count` classes drawn at random (seeded by `seed`) from the shown classes.
    void checkRandom(int count, unsigned seed);
    int classCount() const;

Q_SIGNALS:
    void selectionChanged();

private:
    void applyFilter(const QString& text);
    void updateSummary();

    QLineEdit* m_search = nullptr;
    QListWidget* m_list = nullptr;
    QSpinBox* m_randomCount = nullptr;
    QLabel* m_summary = nullptr;
    bool m_updating = false;
};

} // namespace maml::ui
