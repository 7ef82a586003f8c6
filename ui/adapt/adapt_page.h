#pragma once
// Page 5, the demo: load a checkpoint, drop example images into N class bins and query
// images into the query area (or, in text mode, type example sentences per class and query
// sentences), adapt for S steps (live loss curve), see the predictions.

#include <QVector>
#include <QWidget>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QLineSeries;
class QChart;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTimer;
class QValueAxis;

namespace maml::ui {

class AdaptSession;
class ClassBin;
class QueryArea;
class TextClassBox;
class TextQueryPanel;
class Workbench;

class AdaptPage final : public QWidget {
    Q_OBJECT
public:
    explicit AdaptPage(Workbench* workbench, QWidget* parent = nullptr);

    AdaptSession* session() const { return m_session; }
    QVector<ClassBin*> bins() const { return m_bins; }
    QueryArea* queryArea() const { return m_queries; }
    /// Text mode: a box of sentences per class, and the query sentences with their predictions.
    QVector<TextClassBox*> textBoxes() const { return m_textBoxes; }
    TextQueryPanel* textQueries() const { return m_textQueries; }
    bool isTextMode() const;
    QString message() const;
    bool isModelLoaded() const { return m_loaded; }
    /// Whether the loaded checkpoint is a text model.
    bool isTextModel() const { return m_textModel; }
    /// Loss values of the last adaptation, step by step.
    QVector<double> losses() const { return m_losses; }

public Q_SLOTS:
    void loadCheckpoint(const QString& path);
    /// Images (false) or text (true); loading a checkpoint switches to the model's kind.
    void setTextMode(bool text);
    void setClassCount(int count);
    void adapt();
    void resetModel();

Q_SIGNALS:
    void predictionsShown();
    void statusMessage(const QString& text);

private:
    QWidget* buildLossChart();
    void showMessage(const QString& text, bool error);
    void updateAdaptButton();
    void onLoaded(int ways, int steps, const QString& description, bool text, const QStringList& labels);
    void clearLoss();
    /// Text mode: the support set of the boxes, or an empty list after showing what is missing.
    QVector<QPair<QString, QStringList>> textSupport();
    /// The query items of the current mode (files or sentences).
    QStringList queryItems() const;
    /// The message for a loaded model of the other kind than the page's mode ("" if they match).
    QString kindMismatch() const;

    Workbench* m_workbench;
    AdaptSession* m_session = nullptr;
    QComboBox* m_mode = nullptr;
    QLineEdit* m_checkpoint = nullptr;
    QLabel* m_model = nullptr;
    QSpinBox* m_classCount = nullptr;
    QSpinBox* m_steps = nullptr;
    QPushButton* m_adapt = nullptr;
    QPushButton* m_reset = nullptr;
    QLabel* m_title = nullptr;
    QHBoxLayout* m_binRow = nullptr;
    QVector<ClassBin*> m_bins;
    QueryArea* m_queries = nullptr;
    QStackedWidget* m_supportStack = nullptr;
    QStackedWidget* m_queryStack = nullptr;
    QHBoxLayout* m_textBoxRow = nullptr;
    QVector<TextClassBox*> m_textBoxes;
    TextQueryPanel* m_textQueries = nullptr;
    QTimer* m_repredict = nullptr;
    QStringList m_labels; ///< the text model's corpus labels (default box names)
    QLabel* m_message = nullptr;
    QChart* m_lossChart = nullptr;
    QLineSeries* m_lossSeries = nullptr;
    QValueAxis* m_lossX = nullptr;
    QValueAxis* m_lossY = nullptr;
    QVector<double> m_losses;
    bool m_loaded = false;
    bool m_textModel = false;
    bool m_busy = false;
};

} // namespace maml::ui
