#pragma once
// The Adapt page's query images: drop images here; after adapting, each shows the predicted
// class and a probability bar per class.

#include <QFrame>
#include <QStringList>
#include <QVector>

class QGridLayout;
class QLabel;

namespace maml::ui {

/// The prediction for one query file, as the page shows it.
struct QueryPrediction {
    QString file;
    QString className;
    QVector<double> probabilities; ///< one per class of `classNames`
    QStringList classNames;
};

/// Paints one horizontal bar per class with its name and probability.
class ProbabilityBars final : public QWidget {
    Q_OBJECT
public:
    explicit ProbabilityBars(QWidget* parent = nullptr);
    void setPrediction(const QueryPrediction& p);
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QueryPrediction m_prediction;
};

class QueryArea final : public QFrame {
    Q_OBJECT
public:
    explicit QueryArea(QWidget* parent = nullptr);

    QStringList files() const { return m_files; }
    QStringList addFiles(const QStringList& paths);
    void clear();
    /// Shows predictions (matched to the shown files by path); clears them when empty.
    void setPredictions(const QVector<QueryPrediction>& predictions);
    /// The prediction text shown under `file` ("" before adapting).
    QString predictionText(const QString& file) const;
    int predictionCount() const { return m_predicted; }

Q_SIGNALS:
    void changed();
    void rejected(const QStringList& messages);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    struct Card {
        QWidget* widget = nullptr;
        QLabel* label = nullptr;
        ProbabilityBars* bars = nullptr;
    };
    void addCard(const QString& path);
    void relayout();

    QGridLayout* m_grid = nullptr;
    QLabel* m_hint = nullptr;
    QStringList m_files;
    QVector<Card> m_cards;
    int m_predicted = 0;
};

} // namespace maml::ui
