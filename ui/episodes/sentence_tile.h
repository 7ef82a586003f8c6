#pragma once
// A sentence of a text episode: its domain in grey, the sentence word-wrapped; dragging it
// offers the sentence as plain text (the Adapt page's text boxes take it).

#include <QLabel>
#include <QPoint>

namespace maml::ui {

class SentenceTile final : public QLabel {
    Q_OBJECT
public:
    /// `source` is what TaskSource::itemSource gives for text: "[domain] sentence".
    explicit SentenceTile(const QString& source, double fontScale = 1.0, QWidget* parent = nullptr);
    QString sentence() const { return m_sentence; }
    QString domain() const { return m_domain; }

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    QString m_sentence;
    QString m_domain;
    QPoint m_pressPos;
};

} // namespace maml::ui
