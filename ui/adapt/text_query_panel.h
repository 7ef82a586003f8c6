#pragma once
// The Adapt page's text queries: a box of sentences, one per line; after adapting, each
// sentence is listed with its predicted class and a probability bar per class.

#include "ui/adapt/query_area.h"

#include <QStringList>
#include <QVector>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QVBoxLayout;

namespace maml::ui {

class TextQueryPanel final : public QWidget {
    Q_OBJECT
public:
    explicit TextQueryPanel(QWidget* parent = nullptr);

    /// The non-empty lines of the query box, trimmed.
    QStringList sentences() const;
    void setSentences(const QStringList& sentences);
    QPlainTextEdit* editor() const { return m_edit; }

    /// Lists `predictions` (QueryPrediction::file is the sentence); empty clears the list.
    void setPredictions(const QVector<QueryPrediction>& predictions);
    const QVector<QueryPrediction>& predictions() const { return m_predictions; }
    int predictionCount() const { return static_cast<int>(m_predictions.size()); }
    /// The verdict shown for prediction `index`, e.g. "positive (87%)" (plain text).
    QString verdictText(int index) const;

Q_SIGNALS:
    void changed();

private:
    QPlainTextEdit* m_edit = nullptr;
    QWidget* m_results = nullptr;
    QVBoxLayout* m_rows = nullptr;
    QLabel* m_hint = nullptr;
    QVector<QueryPrediction> m_predictions;
    QVector<QLabel*> m_verdicts;
};

} // namespace maml::ui
