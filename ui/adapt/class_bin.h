#pragma once
// One class of the Adapt page's support set: an editable name and the images dropped on it.

#include <QFrame>
#include <QStringList>

class QLineEdit;
class QListWidget;

namespace maml::ui {

class ClassBin final : public QFrame {
    Q_OBJECT
public:
    ClassBin(const QString& name, QWidget* parent = nullptr);

    QString name() const;
    void setName(const QString& name);
    QStringList files() const { return m_files; }
    /// Adds files that are readable images; returns a message per file left out.
    QStringList addFiles(const QStringList& paths);
    void clear();

Q_SIGNALS:
    void changed();
    /// Items of a drop that were left out, one message each.
    void rejected(const QStringList& messages);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void addThumbnail(const QString& path);

    QLineEdit* m_name = nullptr;
    QListWidget* m_list = nullptr;
    QStringList m_files;
};

} // namespace maml::ui
