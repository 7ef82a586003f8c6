#include "ui/evaluate/evaluate_page.h"

#include "core/data/dataset.h"
#include "core/engine/checkpoint.h"
#include "core/engine/data_kind.h"
#include "core/engine/evaluator.h"
#include "core/engine/experiment_check.h"
#include "core/engine/image_task_source.h"
#include "ui/common/dataset_image.h"
#include "ui/common/error_html.h"
#include "ui/evaluate/eval_session.h"
#include "ui/workbench.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <utility>

namespace maml::ui {
namespace {

QString percent(double mean, double ci)
{
    return QStringLiteral("%1% &plusmn; %2").arg(100 * mean, 0, 'f', 1).arg(100 * ci, 0, 'f', 1);
}

QColor heat(double fraction)
{
    const int v = static_cast<int>(255 - 170 * std::clamp(fraction, 0.0, 1.0));
    return QColor(v, v, 255);
}

struct GalleryItem {
    QImage image;
    QString text;
};

} // namespace

EvaluatePage::EvaluatePage(Workbench* workbench, QWidget* parent) : QWidget(parent), m_workbench(workbench)
{
    auto* title =
        new QLabel(tr("<h2>4. Evaluate</h2>The standard protocol: adapt to each of many unseen "
                      "test episodes and score its queries. The baseline is the same network "
                      "without meta-learning (fresh weights, adapted the same way); text checkpoints "
                      "are also scored by the AFINN-165 sentiment lexicon on the same episodes."));
    title->setWordWrap(true);
    m_session = new EvalSession(this);
    m_checkpoint = new QLineEdit;
    m_checkpoint->setObjectName(QStringLiteral("evalCheckpoint"));
    auto* browse = new QPushButton(tr("..."));
    m_split = new QComboBox;
    for (const char* s : {"test", "val", "train", "all"})
        m_split->addItem(QString::fromLatin1(s));
    m_split->setObjectName(QStringLiteral("evalSplit"));
    m_splitNote = new QLabel;
    m_splitNote->setObjectName(QStringLiteral("evalSplitNote"));
    m_splitNote->setWordWrap(true);
    m_splitNote->hide();
    m_episodes = new QSpinBox;
    m_episodes->setRange(1, 100000);
    m_episodes->setValue(600);
    m_steps = new QSpinBox;
    m_steps->setRange(-1, 1000);
    m_steps->setValue(-1);
    m_steps->setSpecialValueText(tr("as trained"));
    m_baseline = new QCheckBox(tr("Baseline"));
    m_baseline->setChecked(true);
    m_batchNorm = new QComboBox;
    m_batchNorm->setObjectName(QStringLiteral("evalBatchNorm"));
    m_batchNorm->addItem(tr("as trained"));
    m_batchNorm->addItem(tr("query-set statistics"));
    m_batchNorm->setToolTip(
        tr("How BatchNorm normalises the queries. <i>As trained</i>: the checkpoint's own mode. "
           "<i>Query-set statistics</i>: the queries are normalised together with their own "
           "statistics (transductive), as MAML's and MAML++'s own code scores; for checkpoints "
           "trained with running or per-step (MAML++) statistics."));
    m_batchNorm->setEnabled(false); // until a checkpoint trained with running statistics is chosen
    m_run = new QPushButton(tr("Evaluate"));
    m_run->setObjectName(QStringLiteral("evaluateButton"));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setEnabled(false);
    m_progress = new QProgressBar;
    m_progress->setFormat(tr("episode %v of %m"));
    m_headline = new QLabel(tr("No evaluation yet."));
    m_headline->setObjectName(QStringLiteral("evalHeadline"));
    m_headline->setWordWrap(true);
    m_confusion = new QTableWidget;
    m_confusion->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_confusion->horizontalHeader()->setMinimumSectionSize(24);
    m_confusion->horizontalHeader()->setDefaultSectionSize(34);
    m_perClass = new QTableWidget(0, 3);
    m_perClass->setHorizontalHeaderLabels({tr("Class"), tr("Queries"), tr("Accuracy")});
    m_perClass->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_perClass->horizontalHeader()->setStretchLastSection(true);
    m_perClass->verticalHeader()->hide();
    m_gallery = new QListWidget;
    m_gallery->setViewMode(QListView::IconMode);
    m_gallery->setIconSize(QSize(48, 48));
    m_gallery->setGridSize(QSize(120, 84));
    m_gallery->setResizeMode(QListView::Adjust);
    m_gallery->setMovement(QListView::Static);
    m_gallery->setWordWrap(true);

    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Checkpoint:")));
    row->addWidget(m_checkpoint, 1);
    row->addWidget(browse);
    auto* options = new QHBoxLayout;
    options->addWidget(new QLabel(tr("Classes:")));
    options->addWidget(m_split);
    options->addWidget(new QLabel(tr("Episodes:")));
    options->addWidget(m_episodes);
    options->addWidget(new QLabel(tr("Steps:")));
    options->addWidget(m_steps);
    options->addWidget(new QLabel(tr("BatchNorm:")));
    options->addWidget(m_batchNorm);
    options->addWidget(m_baseline);
    options->addWidget(m_run);
    options->addWidget(m_stop);
    options->addStretch(1);
    auto wrap = [](const QString& heading, QWidget* w) {
        auto* box = new QWidget;
        auto* l = new QVBoxLayout(box);
        l->setContentsMargins(0, 0, 0, 0);
        l->addWidget(new QLabel(heading));
        l->addWidget(w, 1);
        return box;
    };
    auto* results = new QSplitter;
    results->addWidget(
        wrap(tr("<b>Confusion matrix</b> (rows: true class, columns: predicted)"), m_confusion));
    results->addWidget(wrap(tr("<b>Per-class accuracy</b>"), m_perClass));
    results->addWidget(wrap(tr("<b>Misclassified queries</b> (true -> predicted)"), m_gallery));
    results->setStretchFactor(0, 3);
    results->setStretchFactor(1, 2);
    results->setStretchFactor(2, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(row);
    layout->addLayout(options);
    layout->addWidget(m_splitNote);
    layout->addWidget(m_progress);
    layout->addWidget(m_headline);
    layout->addWidget(results, 1);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Checkpoint"), m_checkpoint->text(),
                                                       tr("Checkpoints (*.pt)"));
        if (!f.isEmpty())
            setCheckpoint(f);
    });
    connect(m_checkpoint, &QLineEdit::editingFinished, this, &EvaluatePage::checkSplits);
    connect(m_run, &QPushButton::clicked, this, &EvaluatePage::evaluate);
    connect(m_stop, &QPushButton::clicked, m_session, &EvalSession::stop);
    connect(m_session, &EvalSession::progress, this, [this](int done, int total, double acc, double base) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
        m_headline->setText(tr("Running... accuracy so far %1%, baseline %2%")
                                .arg(100 * acc, 0, 'f', 1)
                                .arg(100 * base, 0, 'f', 1));
    });
    connect(m_session, &EvalSession::finished, this, &EvaluatePage::showResult);
    connect(m_session, &EvalSession::failed, this, [this](const QString& message) {
        m_run->setEnabled(true);
        m_stop->setEnabled(false);
        m_headline->setText(errorHtml(message));
        Q_EMIT evaluated(false);
    });
    connect(workbench, &Workbench::runDirChanged, this, [this] {
        if (!m_session->isRunning())
            setCheckpoint(m_workbench->runCheckpoint());
    });
}

void EvaluatePage::setCheckpoint(const QString& path)
{
    m_checkpoint->setText(path);
    checkSplits();
}

QString EvaluatePage::split() const
{
    return m_split->currentText();
}

void EvaluatePage::checkSplits()
{
    const QString path = m_checkpoint->text();
    if (path == m_checkedCheckpoint)
        return;
    m_checkedCheckpoint = path;
    m_splitNote->hide();
    m_batchNorm->setEnabled(false);
    if (path.isEmpty())
        return;
    // Opening the data may take seconds (the first time): off the GUI thread. A checkpoint that
    // cannot be read is not a note: the evaluation reports it when it runs.
    // The same look tells whether the BatchNorm choice means anything for this checkpoint.
    struct Facts {
        std::string testNote;
        bool runningStatistics = false; ///< trained with running or per-step statistics
    };
    m_worker.run<Facts>(
        this,
        [file = path.toStdString()] {
            const auto config = readCheckpointInfo(file).config;
            Facts f;
            try { // a model that cannot be built here is the evaluation's to report
                f.runningStatistics = queryStatisticsApply(config);
            } catch (const std::exception&) {
                f.runningStatistics = false;
            }
            f.testNote = testSplitNote(config);
            return f;
        },
        [this, path](Facts facts) {
            if (dropStaleAnswer(path))
                return;
            m_batchNorm->setEnabled(facts.runningStatistics);
            if (!facts.runningStatistics)
                m_batchNorm->setCurrentIndex(0);
            if (!facts.testNote.empty()) {
                QString text = tr("Note: %1.").arg(QString::fromStdString(facts.testNote).toHtmlEscaped());
                if (m_split->currentText() == QLatin1String("test")) {
                    m_split->setCurrentText(QStringLiteral("val"));
                    text += tr(" Classes set to <b>val</b>.");
                }
                m_splitNote->setText(text);
                m_splitNote->show();
            }
            evaluateIfAsked();
        },
        [this, path](const QString&) {
            if (!dropStaleAnswer(path))
                evaluateIfAsked(); // the evaluation reports what is wrong with the file
        });
}

bool EvaluatePage::dropStaleAnswer(const QString& path)
{
    if (path == m_checkpoint->text())
        return false;
    // Another checkpoint was chosen while this one was looked at: an evaluation waiting for the
    // answer waits no more (Evaluate is pressed again for the new one).
    if (std::exchange(m_evaluateWhenChecked, false)) {
        m_run->setEnabled(true);
        m_headline->clear();
    }
    return true;
}

void EvaluatePage::evaluateIfAsked()
{
    if (!m_evaluateWhenChecked)
        return;
    m_evaluateWhenChecked = false;
    evaluate();
}

void EvaluatePage::setEpisodes(int episodes)
{
    m_episodes->setValue(episodes);
}

void EvaluatePage::evaluate()
{
    if (m_session->isRunning())
        return;
    if (m_checkpoint->text().isEmpty()) {
        // The run's checkpoint, checked first as a chosen one is (the split note, the BatchNorm
        // choice): the evaluation starts when the check has answered.
        const QString path = m_workbench->runCheckpoint();
        if (!path.isEmpty() && path != m_checkedCheckpoint) {
            m_evaluateWhenChecked = true;
            m_run->setEnabled(false);
            m_headline->setText(tr("Looking at the checkpoint..."));
            setCheckpoint(path);
            return;
        }
        m_checkpoint->setText(path);
    }
    EvalOptions options;
    options.split = m_split->currentText().toStdString();
    options.episodes = m_episodes->value();
    options.steps = m_steps->value();
    options.baseline = m_baseline->isChecked();
    options.queryBatchStatistics = m_batchNorm->isEnabled() && m_batchNorm->currentIndex() == 1;
    options.maxMisclassified = 200;
    m_run->setEnabled(false);
    m_stop->setEnabled(true);
    m_progress->setRange(0, options.episodes);
    m_progress->setValue(0);
    m_headline->setText(tr("Loading the checkpoint and the data..."));
    m_session->start(m_checkpoint->text(), options);
}

void EvaluatePage::showResult(std::shared_ptr<const EvalResult> result)
{
    m_result = result;
    m_run->setEnabled(true);
    m_stop->setEnabled(false);
    const auto& r = *result;
    QString text = tr("<span style='font-size:15pt'><b>%1</b> meta-learned</span>")
                       .arg(percent(r.accuracy.mean, r.accuracy.ci95));
    if (r.hasBaseline)
        text += tr("<span style='font-size:15pt'> &nbsp; vs &nbsp; %1 baseline (no meta-learning)</span>")
                    .arg(percent(r.baselineAccuracy.mean, r.baselineAccuracy.ci95));
    // Baselines of the data itself (text: the AFINN-165 lexicon), on the same episodes.
    for (const auto& b : r.referenceBaselines) {
        const QString label = QString::fromStdString(b.label).toHtmlEscaped();
        text += b.error.empty()
                    ? tr("<span style='font-size:15pt'> &nbsp; vs &nbsp; %1 %2</span> (%3)")
                          .arg(percent(b.accuracy.mean, b.accuracy.ci95), label,
                               QString::fromStdString(b.note).toHtmlEscaped())
                    : QStringLiteral("<br>") + errorHtml(tr("The %1 baseline could not run: %2")
                                                             .arg(QString::fromStdString(b.label),
                                                                  QString::fromStdString(b.error)));
    }
    const bool sentences = dataKindOf(r.dataset) == DataKind::Text;
    text += tr("<br>%1-way %2-shot, %3 query %4 per class, %5 adaptation steps, %6 episodes of %7 "
               "split '%8' (95% CI = 1.96 std / sqrt(episodes)), %9 s%10")
                .arg(r.ways)
                .arg(r.shots)
                .arg(r.queries)
                .arg(sentences ? tr("sentences") : tr("images"))
                .arg(r.steps)
                .arg(r.episodes)
                .arg(QString::fromStdString(r.dataset), QString::fromStdString(r.split))
                .arg(r.seconds, 0, 'f', 1)
                .arg(r.cancelled ? tr(" - stopped early") : QString());
    if (!r.batchNorm.empty()) // how the queries were normalised: transductive or one by one
        text += tr("<br>BatchNorm on the queries: %1")
                    .arg(QString::fromStdString(describeBatchNorm(r.batchNorm)).toHtmlEscaped());
    m_headline->setText(text);
    showConfusion(r);
    showPerClass(r);
    loadGallery(r);
    Q_EMIT statusMessage(tr("Evaluation: %1% +- %2")
                             .arg(100 * r.accuracy.mean, 0, 'f', 1)
                             .arg(100 * r.accuracy.ci95, 0, 'f', 1));
    Q_EMIT evaluated(true);
}

void EvaluatePage::showConfusion(const EvalResult& r)
{
    const int n = static_cast<int>(r.confusion.size());
    m_confusion->clear();
    m_confusion->setRowCount(n);
    m_confusion->setColumnCount(n);
    QStringList names;
    for (int i = 0; i < n; ++i)
        names << QString::fromStdString(r.classNames[i]);
    m_confusion->setVerticalHeaderLabels(names);
    QStringList numbers;
    for (int i = 0; i < n; ++i)
        numbers << QString::number(i + 1);
    m_confusion->setHorizontalHeaderLabels(numbers);
    for (int t = 0; t < n; ++t) {
        int total = 0;
        for (int c : r.confusion[t])
            total += c;
        for (int p = 0; p < n; ++p) {
            const int count = r.confusion[t][p];
            auto* item = new QTableWidgetItem(count ? QString::number(count) : QString());
            item->setBackground(heat(total ? double(count) / total : 0));
            item->setToolTip(tr("%1 predicted as %2: %3").arg(names[t], names[p]).arg(count));
            m_confusion->setItem(t, p, item);
        }
    }
    // Counts grow with the episodes (thousands per cell for 2-way text): as wide as they need.
    m_confusion->resizeColumnsToContents();
}

void EvaluatePage::showPerClass(const EvalResult& r)
{
    const int n = static_cast<int>(r.classNames.size());
    m_perClass->setSortingEnabled(false);
    m_perClass->setRowCount(n);
    for (int i = 0; i < n; ++i) {
        m_perClass->setItem(i, 0, new QTableWidgetItem(QString::fromStdString(r.classNames[i])));
        auto* count = new QTableWidgetItem;
        count->setData(Qt::DisplayRole, i < int(r.classCounts.size()) ? r.classCounts[i] : 0);
        m_perClass->setItem(i, 1, count);
        const double acc = i < int(r.classAccuracy.size()) ? r.classAccuracy[i] : 0;
        auto* accuracy = new QTableWidgetItem;
        accuracy->setData(Qt::DisplayRole, std::round(1000 * acc) / 10);
        accuracy->setBackground(heat(acc));
        m_perClass->setItem(i, 2, accuracy);
    }
    m_perClass->setSortingEnabled(true);
    m_perClass->sortByColumn(2, Qt::AscendingOrder);
    m_perClass->resizeColumnsToContents();
}

void EvaluatePage::loadGallery(const EvalResult& r)
{
    m_gallery->clear();
    m_galleryLoading = true;
    const auto checkpoint = m_checkpoint->text().toStdString();
    const auto wrong = r.misclassified;
    const auto dataset = r.dataset;
    // Text: the misclassified sentences, one wrapped line each.
    const bool text = dataKindOf(dataset) == DataKind::Text;
    m_gallery->setViewMode(text ? QListView::ListMode : QListView::IconMode);
    m_gallery->setGridSize(text ? QSize() : QSize(120, 84));
    if (text) {
        for (size_t i = 0; i < wrong.size() && i < 200; ++i)
            new QListWidgetItem(QStringLiteral("%1 -> %2: %3")
                                    .arg(QString::fromStdString(wrong[i].trueName),
                                         QString::fromStdString(wrong[i].predictedName),
                                         QString::fromStdString(wrong[i].source)),
                                m_gallery);
        m_galleryLoading = false;
        return;
    }
    m_worker.run<QVector<GalleryItem>>(
        this,
        [checkpoint, wrong, dataset] {
            auto config = readCheckpointInfo(checkpoint).config;
            config.dataset = dataset; // the evaluated one (may differ from the trained one)
            auto ds = openImageDataset(config);
            QVector<GalleryItem> items;
            for (size_t i = 0; i < wrong.size() && i < 120 && !WorkerThread::interruptionRequested(); ++i) {
                const auto& m = wrong[i];
                items.append(
                    {datasetImage(*ds, m.trueClass, m.index),
                     QStringLiteral("%1 -> %2")
                         .arg(QString::fromStdString(m.trueName), QString::fromStdString(m.predictedName))});
            }
            return items;
        },
        [this](QVector<GalleryItem> items) {
            for (const auto& it : items)
                new QListWidgetItem(QPixmap::fromImage(it.image), it.text, m_gallery);
            m_galleryLoading = false;
        },
        [this](const QString& message) {
            new QListWidgetItem(tr("(images unavailable: %1)").arg(message), m_gallery);
            m_galleryLoading = false;
        });
}

} // namespace maml::ui
