#include "tools/screenshot_tour/screenshot_tour.h"

#include "core/data/dataset.h"
#include "core/engine/image_task_source.h"
#include "core/engine/presets.h"
#include "core/text/text_datasets.h"
#include "ui/adapt/adapt_page.h"
#include "ui/adapt/class_bin.h"
#include "ui/adapt/query_area.h"
#include "ui/adapt/text_class_box.h"
#include "ui/adapt/text_query_panel.h"
#include "ui/common/dataset_image.h"
#include "ui/data/data_page.h"
#include "ui/episodes/episodes_page.h"
#include "ui/evaluate/evaluate_page.h"
#include "ui/experiment/experiment_dialog.h"
#include "ui/main_window.h"
#include "ui/train/train_page.h"
#include "ui/train/training_session.h"
#include "ui/workbench.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTimer>

#include <cstdio>

namespace maml::ui {

ScreenshotTour::ScreenshotTour(const QString& outDir, QObject* parent) : QObject(parent), m_outDir(outDir) {}

ScreenshotTour::~ScreenshotTour() = default;

void ScreenshotTour::waitUntil(std::function<bool()> ready, std::function<void()> then, int timeoutMs)
{
    auto* timer = new QTimer(this);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    connect(timer, &QTimer::timeout, this, [this, timer, clock, ready, then, timeoutMs] {
        if (m_failed)
            return timer->deleteLater();
        if (ready()) {
            timer->deleteLater();
            // One more turn of the event loop so pending repaints land in the picture.
            QTimer::singleShot(300, this, then);
        } else if (clock->elapsed() > timeoutMs) {
            timer->deleteLater();
            fail(QStringLiteral("timed out"));
        }
    });
    timer->start(100);
}

void ScreenshotTour::save(QWidget* widget, const QString& name)
{
    const QString path = QDir(m_outDir).filePath(name);
    if (!widget->grab().save(path))
        return fail(QStringLiteral("cannot write %1").arg(path));
    std::fprintf(stderr, "wrote %s\n", qPrintable(path));
}

void ScreenshotTour::fail(const QString& message)
{
    if (m_failed)
        return;
    m_failed = true;
    std::fprintf(stderr, "screenshots failed: %s\n", qPrintable(message));
    Q_EMIT done(false);
}

void ScreenshotTour::start()
{
    if (!QDir().mkpath(m_outDir) || !m_temp.isValid())
        return fail(QStringLiteral("cannot create %1").arg(m_outDir));
    ExperimentConfig config = preset(defaultPresetName());
    config.iterations = m_iterations;
    config.valEvery = std::max(1, m_iterations / 3);
    config.valEpisodes = 40;
    config.metaBatch = 8;
    config.logEvery = 1;
    m_window = std::make_unique<MainWindow>();
    m_window->workbench()->setExperiment(config);
    m_window->resize(1360, 880);
    m_window->show();
    dataPage();
}

void ScreenshotTour::dataPage()
{
    m_window->showPage(MainWindow::Data);
    waitUntil([this] { return !m_window->dataPage()->isLoading(); },
              [this] {
                  save(m_window.get(), QStringLiteral("1-data.png"));
                  dialog();
              });
}

void ScreenshotTour::dialog()
{
    auto* dialog = new ExperimentDialog(m_window->workbench()->experiment(), m_window.get());
    dialog->show();
    waitUntil([dialog] { return !dialog->isLoading(); },
              [this, dialog] {
                  save(dialog, QStringLiteral("2-experiment-dialog.png"));
                  // The same dialog with an impossible request shows the exact reason.
                  ExperimentConfig bad = dialog->config();
                  bad.shots = 10;
                  bad.queries = 15;
                  dialog->setConfig(bad);
                  waitUntil([dialog] { return !dialog->isLoading(); },
                            [this, dialog] {
                                save(dialog, QStringLiteral("2-experiment-dialog-invalid.png"));
                                dialog->deleteLater();
                                episodes(7, QStringLiteral("3-episodes.png"), [this] {
                                    train(QStringLiteral("glyphs-run"), QStringLiteral("4-train.png"),
                                          [this] { evaluate(); });
                                });
                            });
              });
}

void ScreenshotTour::episodes(int seed, const QString& file, std::function<void()> next)
{
    m_window->showPage(MainWindow::Episodes);
    m_window->episodesPage()->setSeed(seed);
    waitUntil([this] { return !m_window->episodesPage()->isLoading(); },
              [this, file, next] {
                  save(m_window.get(), file);
                  next();
              });
}

void ScreenshotTour::train(const QString& runName, const QString& file, std::function<void()> next)
{
    m_window->showPage(MainWindow::Train);
    auto* page = m_window->trainPage();
    page->setRunDir(QDir(m_temp.path()).filePath(runName));
    auto finished = std::make_shared<int>(0);
    connect(page, &TrainPage::trainingFinished, this, [finished](bool ok) { *finished = ok ? 1 : -1; });
    page->startTraining();
    waitUntil([finished] { return *finished != 0; },
              [this, finished, runName, file, next] {
                  if (*finished < 0)
                      return fail(QStringLiteral("training of %1 failed").arg(runName));
                  save(m_window.get(), file);
                  next();
              });
}

void ScreenshotTour::evaluate()
{
    m_window->showPage(MainWindow::Evaluate);
    auto* page = m_window->evaluatePage();
    page->setCheckpoint(m_window->workbench()->runCheckpoint());
    page->setEpisodes(50);
    auto finished = std::make_shared<int>(0);
    connect(page, &EvaluatePage::evaluated, this, [finished](bool ok) { *finished = ok ? 1 : -1; });
    page->evaluate();
    waitUntil([finished, page] { return *finished != 0 && !page->galleryLoading(); },
              [this, finished] {
                  if (*finished < 0)
                      return fail(QStringLiteral("evaluation failed"));
                  save(m_window.get(), QStringLiteral("5-evaluate.png"));
                  adapt();
              });
}

QStringList ScreenshotTour::writeSampleImages(int classIndex, int count, int first)
{
    const auto& c = m_window->workbench()->experiment();
    auto ds = openImageDataset(c);
    const int cls = ds->splitClasses(c.testSplit).at(static_cast<size_t>(classIndex));
    QStringList files;
    for (int i = first; i < first + count; ++i) {
        const QString path =
            QDir(m_temp.path()).filePath(QStringLiteral("class%1-%2.png").arg(classIndex).arg(i));
        datasetImage(*ds, cls, i).scaled(64, 64).save(path);
        files << path;
    }
    return files;
}

void ScreenshotTour::adaptAndSave(AdaptPage* page, const QString& file, std::function<void()> next)
{
    auto shown = std::make_shared<bool>(false);
    connect(page, &AdaptPage::predictionsShown, this, [shown, page] { *shown = !page->losses().isEmpty(); });
    page->adapt();
    waitUntil([shown] { return *shown; },
              [this, file, next] {
                  save(m_window.get(), file);
                  next();
              });
}

void ScreenshotTour::adapt()
{
    m_window->showPage(MainWindow::Adapt);
    auto* page = m_window->adaptPage();
    page->loadCheckpoint(m_window->workbench()->runCheckpoint());
    waitUntil([page] { return page->isModelLoaded(); },
              [this, page] {
                  const auto& c = m_window->workbench()->experiment();
                  auto ds = openImageDataset(c);
                  const auto pool = ds->splitClasses(c.testSplit);
                  QStringList queries;
                  for (int i = 0; i < page->bins().size(); ++i) {
                      page->bins()[i]->setName(QString::fromStdString(ds->classNames()[pool[i]]));
                      page->bins()[i]->addFiles(writeSampleImages(i, 2, 0));
                      queries << writeSampleImages(i, 1, 5 + i % 3);
                  }
                  page->queryArea()->addFiles(queries);
                  adaptAndSave(page, QStringLiteral("6-adapt.png"), [this] { textDialog(); });
              });
}

void ScreenshotTour::finish()
{
    Q_EMIT done(!m_failed);
}

void ScreenshotTour::textDialog()
{
    bool available = false;
    for (const auto& info : knownTextDatasets())
        available = available || (info.spec == "sentiment-uci" && info.available);
    if (m_textIterations <= 0 || !available) {
        std::fprintf(stderr, "text pages skipped: %s\n",
                     m_textIterations <= 0 ? "disabled"
                                           : "sentiment-uci is missing (datasets/fetch-text-data.sh)");
        return finish();
    }
    ExperimentConfig config = preset("sentiment-uci-2w5s");
    config.iterations = m_textIterations;
    config.valEvery = std::max(1, m_textIterations / 2);
    config.valEpisodes = 20;
    config.logEvery = 1;
    config.threads = 2;
    m_window->workbench()->setExperiment(config);
    m_window->showPage(MainWindow::Data);
    waitUntil([this] { return !m_window->dataPage()->isLoading(); },
              [this, config] {
                  save(m_window.get(), QStringLiteral("7a-text-data.png"));
                  auto* dialog = new ExperimentDialog(config, m_window.get());
                  dialog->show();
                  waitUntil([dialog] { return !dialog->isLoading(); },
                            [this, dialog] {
                                save(dialog, QStringLiteral("7b-text-experiment-dialog.png"));
                                dialog->deleteLater();
                                episodes(3, QStringLiteral("7c-text-episodes.png"), [this] {
                                    train(QStringLiteral("text-run"), QStringLiteral("7d-text-train.png"),
                                          [this] { textAdapt(); });
                                });
                            });
              });
}

void ScreenshotTour::textAdapt()
{
    m_window->showPage(MainWindow::Adapt);
    auto* page = m_window->adaptPage();
    page->loadCheckpoint(m_window->workbench()->runCheckpoint());
    waitUntil([page] { return page->isModelLoaded() && page->isTextMode(); },
              [this, page] {
                  // Sentences in the style of the imdb domain (not in the corpus).
                  page->textBoxes()[0]->setSentences(
                      {QStringLiteral("The plot was a mess and the acting was worse."),
                       QStringLiteral("I walked out after an hour, what a waste of money."),
                       QStringLiteral("Boring, predictable and far too long.")});
                  page->textBoxes()[1]->setSentences(
                      {QStringLiteral("A wonderful film, I loved every minute of it."),
                       QStringLiteral("The cast is brilliant and the story is moving."),
                       QStringLiteral("One of the best movies I have seen this year.")});
                  page->textQueries()->setSentences(
                      {QStringLiteral("The music was beautiful and the ending made me smile."),
                       QStringLiteral("Terrible dialogue, I almost fell asleep."),
                       QStringLiteral("A great cast wasted on a dull script."),
                       QStringLiteral("I would happily watch it again.")});
                  adaptAndSave(page, QStringLiteral("7e-text-adapt.png"), [this] { finish(); });
              });
}

} // namespace maml::ui
