#pragma once
// Page 4: the 600-episode protocol; mean accuracy with CI beside the no-meta-learning
// baseline, confusion matrix, per-class accuracy and the misclassified query images.

#include "ui/common/worker_thread.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace maml {
struct EvalResult;
}

namespace maml::ui {

class EvalSession;
class Workbench;

class EvaluatePage final : public QWidget {
    Q_OBJECT
public:
    explicit EvaluatePage(Workbench* workbench, QWidget* parent = nullptr);

    EvalSession* session() const { return m_session; }
    /// Also asks (off the GUI thread) whether the checkpoint's test split can give episodes; when
    /// it cannot (e.g. the CIFAR-100 development copy's empty test classes), the page switches
    /// "Classes" from test to val and says why.
    void setCheckpoint(const QString& path);
    /// The split the next evaluation uses ("test", "val", "train" or "all").
    QString split() const;
    void setEpisodes(int episodes);
    /// The last result (null before the first evaluation).
    std::shared_ptr<const EvalResult> result() const { return m_result; }
    bool galleryLoading() const { return m_galleryLoading; }

public Q_SLOTS:
    void evaluate();

Q_SIGNALS:
    void evaluated(bool ok);
    void statusMessage(const QString& text);

private:
    void showResult(std::shared_ptr<const EvalResult> result);
    void showConfusion(const EvalResult& r);
    void showPerClass(const EvalResult& r);
    void loadGallery(const EvalResult& r);
    void checkSplits();
    /// Runs evaluate() if Evaluate was pressed before the checkpoint's check answered.
    void evaluateIfAsked();
    /// True when the check of `path` answers after the field changed; drops a pending evaluation.
    bool dropStaleAnswer(const QString& path);

    Workbench* m_workbench;
    EvalSession* m_session = nullptr;
    std::shared_ptr<const EvalResult> m_result;
    QLineEdit* m_checkpoint = nullptr;
    QComboBox* m_split = nullptr;
    QLabel* m_splitNote = nullptr;      ///< why the page chose val over test (hidden when it did not)
    QString m_checkedCheckpoint;        ///< the checkpoint checkSplits() last asked about
    bool m_evaluateWhenChecked = false; ///< Evaluate was pressed with an empty field: run after the check
    QSpinBox* m_episodes = nullptr;
    QSpinBox* m_steps = nullptr;
    QCheckBox* m_baseline = nullptr;
    /// How BatchNorm normalises the queries: as trained, or the query set's own statistics
    /// (enabled for checkpoints trained with running or per-step statistics).
    QComboBox* m_batchNorm = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_stop = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_headline = nullptr;
    QTableWidget* m_confusion = nullptr;
    QTableWidget* m_perClass = nullptr;
    QListWidget* m_gallery = nullptr;
    bool m_galleryLoading = false;
    WorkerThread m_worker{QStringLiteral("evaluate page")}; ///< last member: stops before the rest goes
};

} // namespace maml::ui
