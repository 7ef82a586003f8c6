#pragma once
// Page 5, the demo: load a checkpoint, drop example images into N class bins and query
// images into the query area, adapt for S steps (live loss curve), see the predictions.

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
class QValueAxis;

namespace maml::ui {

class AdaptSession;
class ClassBin;
class QueryArea;
class Workbench;

class AdaptPage final : public QWidget {
    Q_OBJECT
public:
    explicit AdaptPage(Workbench* workbench, QWidget* parent = nullptr);

    AdaptSession* session() const { return m_session; }
    QVector<ClassBin*> bins() const { return m_bins; }
    QueryArea* queryArea() const { return m_queries; }
    QString message() const;
    bool isModelLoaded() const { return m_loaded; }
    /// Loss values of the last adaptation, step by step.
    QVector<double> losses() const { return m_losses; }

public Q_SLOTS:
    void loadCheckpoint(const QString& path);
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

    Workbench* m_workbench;
    AdaptSession* m_session = nullptr;
    QComboBox* m_mode = nullptr;
    QLineEdit* m_checkpoint = nullptr;
    QLabel* m_model = nullptr;
    QSpinBox* m_classCount = nullptr;
    QSpinBox* m_steps = nullptr;
    QPushButton* m_adapt = nullptr;
    QPushButton* m_reset = nullptr;
    QHBoxLayout* m_binRow = nullptr;
    QVector<ClassBin*> m_bins;
    QueryArea* m_queries = nullptr;
    QLabel* m_message = nullptr;
    QChart* m_lossChart = nullptr;
    QLineSeries* m_lossSeries = nullptr;
    QValueAxis* m_lossX = nullptr;
    QValueAxis* m_lossY = nullptr;
    QVector<double> m_losses;
    bool m_loaded = false;
    bool m_busy = false;
};

}  // namespace maml::ui
