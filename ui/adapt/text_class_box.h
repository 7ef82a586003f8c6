#pragma once
// One class of the Adapt page's text support set: an editable name and its example sentences,
// one per line (typed, pasted, or dragged from the Episodes page).

#include <QFrame>
#include <QStringList>

class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace maml::ui {

class TextClassBox final : public QFrame {
    Q_OBJECT
public:
    explicit TextClassBox(const QString& name, QWidget* parent = nullptr);

    QString name() const;
    void setName(const QString& name);
    /// The non-empty lines, trimmed.
    QStringList sentences() const;
    void setSentences(const QStringList& sentences);
    QLineEdit* nameEdit() const { return m_name; }
    QPlainTextEdit* editor() const { return m_edit; }

Q_SIGNALS:
    void changed();

private:
    void updateCount();

    QLineEdit* m_name = nullptr;
    QPlainTextEdit* m_edit = nullptr;
    QLabel* m_count = nullptr;
};

/// The non-empty, trimmed lines of `text`.
QStringList nonEmptyLines(const QString& text);

} // namespace maml::ui
