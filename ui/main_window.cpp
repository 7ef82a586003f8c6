#include "ui/main_window.h"

#include "core/engine/trainer.h"
#include "core/util/build_info.h"
#include "core/util/json_limits.h"
#include "ui/adapt/adapt_page.h"
#include "ui/data/data_page.h"
#include "ui/episodes/episodes_page.h"
#include "ui/evaluate/evaluate_page.h"
#include "ui/experiment/experiment_dialog.h"
#include "ui/train/train_page.h"
#include "ui/train/training_session.h"
#include "ui/workbench.h"

#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>

namespace maml::ui {
namespace {

// Drawn rather than loaded: Debian's Qt has no SVG image plugin by default.
QIcon appIcon()
{
    QPixmap pixmap(64, 64);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(QColor(0x15, 0x65, 0xc0));
    p.setPen(Qt::NoPen);
    p.drawRoundedRect(2, 2, 60, 60, 12, 12);
    p.setPen(QPen(Qt::white, 3));
    for (int x : {16, 32, 48})
        p.drawLine(32, 24, x, 44);
    p.setPen(Qt::NoPen);
    p.setBrush(Qt::white);
    p.drawEllipse(QPoint(32, 20), 7, 7);
    p.setBrush(QColor(0x90, 0xca, 0xf9));
    for (int x : {16, 32, 48})
        p.drawEllipse(QPoint(x, 46), 6, 6);
    return QIcon(pixmap);
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), m_workbench(new Workbench(this))
{
    setWindowIcon(appIcon());
    restoreSettings();
    buildPages();
    buildMenus();
    m_experimentLabel = new QLabel;
    statusBar()->addPermanentWidget(m_experimentLabel);
    connect(m_workbench, &Workbench::experimentChanged, this, &MainWindow::updateTitle);
    connect(m_workbench, &Workbench::runDirChanged, this, [this] {
        rebuildRecentMenu();
        updateTitle();
    });
    updateTitle();
    showStatus(tr("Ready. Start with Data, then follow the side bar."));
}

MainWindow::~MainWindow() = default;

void MainWindow::buildPages()
{
    m_data = new DataPage(m_workbench);
    m_episodes = new EpisodesPage(m_workbench);
    m_train = new TrainPage(m_workbench);
    m_evaluate = new EvaluatePage(m_workbench);
    m_adapt = new AdaptPage(m_workbench);
    m_stack = new QStackedWidget;
    m_sideBar = new QListWidget;
    m_sideBar->setObjectName(QStringLiteral("sideBar"));
    m_sideBar->setIconSize(QSize(28, 28));
    m_sideBar->setFixedWidth(150);
    m_sideBar->setSpacing(4);
    const struct {
        QWidget* page;
        QString name;
        QStyle::StandardPixmap icon;
    } pages[] = {
        {m_data, tr("1  Data"), QStyle::SP_DirHomeIcon},
        {m_episodes, tr("2  Episodes"), QStyle::SP_FileDialogContentsView},
        {m_train, tr("3  Train"), QStyle::SP_MediaPlay},
        {m_evaluate, tr("4  Evaluate"), QStyle::SP_DialogApplyButton},
        {m_adapt, tr("5  Adapt"), QStyle::SP_ArrowRight},
    };
    for (const auto& p : pages) {
        m_stack->addWidget(p.page);
        new QListWidgetItem(style()->standardIcon(p.icon), p.name, m_sideBar);
    }
    connect(m_sideBar, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    m_sideBar->setCurrentRow(QSettings().value(QStringLiteral("page"), 0).toInt());

    auto* central = new QWidget;
    auto* layout = new QHBoxLayout(central);
    layout->addWidget(m_sideBar);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    connect(m_data, &DataPage::newExperimentRequested, this, &MainWindow::newExperiment);
    connect(m_data, &DataPage::openExperimentRequested, this, &MainWindow::openExperiment);
    connect(m_train, &TrainPage::statusMessage, this, &MainWindow::showStatus);
    connect(m_evaluate, &EvaluatePage::statusMessage, this, &MainWindow::showStatus);
    connect(m_adapt, &AdaptPage::statusMessage, this, &MainWindow::showStatus);
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New experiment..."), QKeySequence::New, this, &MainWindow::newExperiment);
    file->addAction(tr("&Open experiment JSON..."), QKeySequence::Open, this, &MainWindow::openExperiment);
    file->addAction(tr("&Save experiment..."), QKeySequence::Save, this, &MainWindow::saveExperiment);
    file->addSeparator();
    file->addAction(tr("Open &run folder..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this,
                    &MainWindow::openRunDir);
    m_recent = file->addMenu(tr("Recent &runs"));
    rebuildRecentMenu();
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* view = menuBar()->addMenu(tr("&View"));
    const QString names[] = {tr("&Data"), tr("&Episodes"), tr("&Train"), tr("E&valuate"), tr("&Adapt")};
    for (int i = 0; i < PageCount; ++i)
        view->addAction(names[i],
                        QKeySequence(QKeyCombination(Qt::CTRL, static_cast<Qt::Key>(Qt::Key_1 + i))), this,
                        [this, i] { showPage(static_cast<Page>(i)); });
    view->addSeparator();
    view->addAction(tr("Side &bar"), QKeySequence(Qt::CTRL | Qt::Key_B), this,
                    [this] { m_sideBar->setVisible(!m_sideBar->isVisible()); });

    auto* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("&Start training"), QKeySequence(Qt::CTRL | Qt::Key_T), this, [this] {
        showPage(Train);
        m_train->startTraining();
    });
    run->addAction(tr("&Pause / resume training"), QKeySequence(Qt::CTRL | Qt::Key_P), m_train,
                   &TrainPage::togglePause);
    run->addAction(tr("S&top training"), QKeySequence(Qt::CTRL | Qt::Key_Period), m_train,
                   &TrainPage::stopTraining);
    run->addAction(tr("&Evaluate"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
        showPage(Evaluate);
        m_evaluate->evaluate();
    });
    run->addAction(tr("Resample &episode"), QKeySequence(Qt::Key_F5), this, [this] {
        showPage(Episodes);
        m_episodes->resample();
    });

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About MAML Workbench"), this, &MainWindow::about);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::rebuildRecentMenu()
{
    m_recent->clear();
    const QStringList runs = Workbench::recentRuns();
    for (const auto& dir : runs)
        m_recent->addAction(dir, this, [this, dir] { openRun(dir); });
    m_recent->setEnabled(!runs.isEmpty());
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    resize(1280, 860);
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    const QString last = settings.value(QStringLiteral("lastExperiment")).toString();
    try {
        if (!last.isEmpty())
            m_workbench->setExperiment(
                ExperimentConfig::fromJson(parseJsonText(last.toStdString(), "settings")));
    } catch (const std::exception&) {
        // A stale or hand-edited setting: start from the default experiment.
    }
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_train->session()->isRunning()) {
        const auto answer = QMessageBox::question(this, tr("Training is running"),
                                                  tr("Stop the training and quit? The last checkpoint is "
                                                     "saved; continue later with \"Continue run\"."));
        if (answer != QMessageBox::Yes)
            return event->ignore();
    }
    QSettings settings;
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("page"), m_sideBar->currentRow());
    settings.setValue(QStringLiteral("lastExperiment"),
                      QString::fromStdString(m_workbench->experiment().toJson().dump()));
    event->accept();
}

void MainWindow::showPage(Page page)
{
    m_sideBar->setCurrentRow(page);
}

MainWindow::Page MainWindow::currentPage() const
{
    return static_cast<Page>(m_stack->currentIndex());
}

void MainWindow::newExperiment()
{
    ExperimentDialog dialog(m_workbench->experiment(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_workbench->setExperiment(dialog.config(), dialog.file());
    showStatus(tr("Experiment set: %1").arg(QString::fromStdString(m_workbench->experiment().dataset)));
}

void MainWindow::openExperiment()
{
    const QString f = QFileDialog::getOpenFileName(this, tr("Open experiment"), m_workbench->experimentFile(),
                                                   tr("Experiment JSON (*.json)"));
    if (f.isEmpty())
        return;
    try {
        m_workbench->setExperiment(Workbench::loadExperiment(f), f);
        showStatus(tr("Opened %1").arg(f));
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Cannot open the experiment"), QString::fromUtf8(e.what()));
    }
}

void MainWindow::saveExperiment()
{
    const QString f = QFileDialog::getSaveFileName(this, tr("Save experiment"), m_workbench->experimentFile(),
                                                   tr("Experiment JSON (*.json)"));
    if (f.isEmpty())
        return;
    try {
        Workbench::saveExperiment(m_workbench->experiment(), f);
        m_workbench->setExperiment(m_workbench->experiment(), f);
        showStatus(tr("Saved %1").arg(f));
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Cannot save the experiment"), QString::fromUtf8(e.what()));
    }
}

void MainWindow::openRunDir()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a run folder"), m_train->runDir());
    if (!dir.isEmpty())
        openRun(dir);
}

bool MainWindow::openRun(const QString& dir)
{
    if (m_train->session()->isRunning()) {
        showStatus(tr("Stop the running training before opening another run."));
        return false;
    }
    try {
        m_workbench->setExperiment(loadConfig(RunPaths{dir.toStdString()}.config().string()));
    } catch (const std::exception& e) {
        showStatus(QString::fromUtf8(e.what()));
    }
    const bool ok = m_train->openRun(dir);
    if (ok)
        showPage(Train);
    return ok;
}

void MainWindow::about()
{
    // The same facts as `maml-workbench --version`.
    const QString libraries =
        QStringLiteral("Qt %1, %2")
            .arg(QString::fromLatin1(qVersion()), QString::fromStdString(libraryVersions()));
    QMessageBox::about(this, tr("About MAML Workbench"),
                       tr("<h3>MAML Workbench %1</h3><p>Few-shot learning with Model-Agnostic "
                          "Meta-Learning (Finn, Abbeel and Levine, ICML 2017).</p><p>Git revision: "
                          "%2<br>%3</p>")
                           .arg(QString::fromLatin1(projectVersion()),
                                QString::fromLatin1(gitRevision()).toHtmlEscaped(),
                                libraries.toHtmlEscaped()));
}

void MainWindow::showStatus(const QString& text)
{
    statusBar()->showMessage(text, 8000);
}

void MainWindow::updateTitle()
{
    const auto& c = m_workbench->experiment();
    const QString summary =
        QStringLiteral("%1 | %2-way %3-shot").arg(QString::fromStdString(c.dataset)).arg(c.ways).arg(c.shots);
    m_experimentLabel->setText(summary + (m_workbench->runDir().isEmpty()
                                              ? QString()
                                              : QStringLiteral(" | ") + m_workbench->runDir()));
    setWindowTitle(tr("MAML Workbench - %1").arg(summary));
}

} // namespace maml::ui
