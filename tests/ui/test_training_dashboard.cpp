// A short training run in the worker: progress reaches the charts while the GUI thread keeps
// answering (the longest gap of a 10 ms timer is measured and must stay small); the run folder
// then opens in the dashboard with the same curves.
#include "core/engine/presets.h"
#include "core/engine/trainer.h"
#include "core/modules.h"
#include "ui/train/run_history.h"
#include "ui/train/train_page.h"
#include "ui/train/training_charts.h"
#include "ui/train/training_session.h"
#include "ui/workbench.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace maml;
using namespace maml::ui;

namespace {

ExperimentConfig tinyConfig()
{
    ExperimentConfig c = preset(defaultPresetName());
    c.iterations = 24;
    c.metaBatch = 2;
    c.filters = 16;
    c.queries = 5;
    c.valEvery = 8;
    c.valEpisodes = 4;
    c.logEvery = 1;
    c.threads = 1;
    return c;
}

} // namespace

class TestTrainingDashboard : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        maml::registerBuiltinModules();
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        qputenv("XDG_CACHE_HOME", m_dir.filePath(QStringLiteral("cache")).toUtf8());
    }

    void trainingKeepsTheWindowResponsive()
    {
        Workbench workbench;
        workbench.setExperiment(tinyConfig());
        TrainPage page(&workbench);
        page.resize(1000, 700);
        page.show();
        // The first paint of the charts is not training's doing: let it happen before measuring.
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTest::qWait(300);
        const QString runDir = m_dir.filePath(QStringLiteral("run"));
        page.setRunDir(runDir);
        QSignalSpy progress(page.session(), &TrainingSession::progress);
        QSignalSpy finished(page.session(), &TrainingSession::finished);
        QSignalSpy failed(page.session(), &TrainingSession::failed);

        // The GUI thread's heartbeat: the longest gap between two 10 ms ticks while training runs.
        QElapsedTimer clock;
        qint64 last = -1, longestGap = 0, longestAt = 0;
        int ticks = 0;
        QTimer heartbeat;
        heartbeat.setInterval(10);
        connect(&heartbeat, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            if (last >= 0 && page.session()->isRunning() && now - last > longestGap) {
                longestGap = now - last;
                longestAt = now;
            }
            last = now;
            ++ticks;
        });
        clock.start();
        heartbeat.start();
        const int refreshesBefore = page.charts()->refreshCount();
        page.startTraining();
        QVERIFY(page.session()->isRunning());
        QVERIFY(finished.wait(240000) || !failed.isEmpty());
        heartbeat.stop();
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QCOMPARE(finished.first().at(1).toBool(), false); // not cancelled

        QVERIFY(progress.count() >= 1);
        QVERIFY(page.charts()->refreshCount() > refreshesBefore);
        QCOMPARE(page.charts()->current().train.size(), 24);
        QCOMPARE(page.charts()->current().validation.size(), 3);
        QCOMPARE(page.charts()->plottedPoints(), 24);
        qInfo("heartbeat ticks %d in %lld ms, longest GUI-thread gap during training: %lld ms (ending at "
              "%lld ms), "
              "progress signals: %d",
              ticks, clock.elapsed(), longestGap, longestAt, static_cast<int>(progress.count()));
        QVERIFY2(longestGap < 250,
                 qPrintable(QStringLiteral("GUI thread stalled for %1 ms").arg(longestGap)));

        // What the CLI and the GUI share: the run folder.
        const RunPaths paths{runDir.toStdString()};
        QVERIFY(QFileInfo::exists(QString::fromStdString(paths.config().string())));
        QVERIFY(QFileInfo::exists(QString::fromStdString(paths.last().string())));
        QCOMPARE(workbench.runDir(), runDir);
        QVERIFY(!workbench.runCheckpoint().isEmpty());

        const RunHistory reopened = RunHistory::load(runDir);
        QCOMPARE(reopened.train.size(), 24);
        QCOMPARE(reopened.validation.size(), 3);
        QCOMPARE(reopened.validation.last().valAccuracy,
                 page.charts()->current().validation.last().valAccuracy);
    }

    void pauseStopsProgressAndStopSaves()
    {
        Workbench workbench;
        ExperimentConfig c = tinyConfig();
        c.iterations = 100000; // never reached: the test stops it
        c.valEvery = 100000;
        workbench.setExperiment(c);
        TrainPage page(&workbench);
        const QString runDir = m_dir.filePath(QStringLiteral("stopped"));
        page.setRunDir(runDir);
        QSignalSpy progress(page.session(), &TrainingSession::progress);
        QSignalSpy finished(page.session(), &TrainingSession::finished);
        page.startTraining();
        QVERIFY(progress.wait(120000));
        page.togglePause();
        QVERIFY(page.session()->isPaused());
        // Let in-flight points arrive, then nothing new while paused.
        QTest::qWait(600);
        const auto pausedAt = page.charts()->current().train.size();
        QTest::qWait(800);
        QVERIFY(page.charts()->current().train.size() <= pausedAt + 1);
        page.togglePause();
        QTRY_VERIFY_WITH_TIMEOUT(page.charts()->current().train.size() > pausedAt + 1, 60000);
        page.stopTraining();
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().at(1).toBool(), true); // cancelled
        QVERIFY(QFileInfo::exists(QString::fromStdString(RunPaths{runDir.toStdString()}.last().string())));
    }

    void aFirstValidationIsADotNotAnInvisibleLine()
    {
        TrainingCharts charts;
        RunHistory h;
        TrainProgress p;
        p.iteration = 10;
        p.iterations = 100;
        p.trainLoss = 1.0;
        p.valLoss = 1.2;
        p.valAccuracy = 0.5;
        p.hasValidation = true;
        h.train = {p};
        h.validation = {p};
        charts.setCurrent(h);
        QVERIFY(charts.validationAsDots());
        for (int i = 0; i < 30; ++i) {
            p.iteration += 10;
            h.validation.push_back(p);
        }
        charts.setCurrent(h);
        QVERIFY(!charts.validationAsDots()); // many validations: a line
    }

    void learnedInnerRatesAreChartedForAnLslrRunOnly()
    {
        // A real MAML++ run with LSLR writes its learned rates at each validation; opened as a
        // run folder, the charts plot one line per adapted weight tensor over the inner steps.
        ExperimentConfig c = tinyConfig();
        c.iterations = 8;
        c.innerStepsTrain = 3;
        c.lslr = true;
        const QString dir = m_dir.filePath(QStringLiteral("lslr-run"));
        Trainer::startRun(c, dir.toStdString()).run();
        const auto history = RunHistory::load(dir);
        QVERIFY(!history.innerLrs.empty());
        QCOMPARE(history.innerLrs.names.size(), history.innerLrs.rates.size());
        QCOMPARE(static_cast<int>(history.innerLrs.rates.front().size()), 3);
        bool moved = false; // meta-learned: after 8 Adam steps they are no longer all inner_lr
        for (const auto& row : history.innerLrs.rates)
            for (double r : row)
                moved = moved || std::abs(r - c.innerLr) > 1e-6;
        QVERIFY(moved);
        TrainingCharts charts;
        charts.resize(900, 600);
        charts.setCurrent(history);
        QVERIFY(charts.showsInnerLrs());
        QCOMPARE(charts.innerLrLines(), static_cast<int>(history.innerLrs.names.size()));

        // Plain MAML: no chart. A malformed "inner_lrs" (rows and names disagree) is ignored.
        RunHistory plain;
        plain.addRecord(nlohmann::json::parse(
            R"({"iteration": 9, "train_loss": 1.0, "train_accuracy": 0.5, "val_accuracy": 0.5,
                "inner_lrs": {"names": ["a", "b"], "rates": [[0.1, 0.2]]}})"));
        QVERIFY(plain.innerLrs.empty());
        charts.setCurrent(plain);
        QVERIFY(!charts.showsInnerLrs());
        QCOMPARE(charts.innerLrLines(), 0);
    }

    void openingAFolderWithoutARunSaysSo()
    {
        Workbench workbench;
        TrainPage page(&workbench);
        QTemporaryDir empty;
        QVERIFY(!page.openRun(empty.path()));
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("trainStats"))
                    ->text()
                    .contains(QStringLiteral("no training run here")));
    }

    void defaultRunFolderIsUnderXdgDataHomeWithTheNameOnce()
    {
        // QStandardPaths::AppLocalDataLocation would add organisation and application name:
        // <data>/maml-workbench/maml-workbench/runs.
        const QString data = m_dir.filePath(QStringLiteral("data"));
        qputenv("XDG_DATA_HOME", data.toUtf8());
        Workbench workbench;
        TrainPage page(&workbench);
        const QString runs = data + QStringLiteral("/maml-workbench/runs/");
        QVERIFY2(page.runDir().startsWith(runs), qPrintable(page.runDir()));
        QVERIFY(!page.runDir().mid(runs.size()).contains(QLatin1Char('/')));
        QVERIFY(page.runDir().mid(runs.size()).startsWith(QStringLiteral("glyphs-5w1s-")));
        qunsetenv("XDG_DATA_HOME");
    }
};

QTEST_MAIN(TestTrainingDashboard)
#include "test_training_dashboard.moc"
