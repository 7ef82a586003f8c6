// Issue 13 in the workbench: a run folder another process trains says who holds it; a run
// folder with a garbage or hostile config.json says so instead of opening silently with default
// settings (or crashing, for a value nested 100,000 deep); huge numbers in metrics.jsonl do not
// push the page's layout off the screen.
#include "core/engine/presets.h"
#include "core/engine/trainer.h"
#include "core/modules.h"
#include "core/util/atomic_file.h"
#include "core/util/run_lock.h"
#include "ui/main_window.h"
#include "ui/train/train_page.h"
#include "ui/train/training_charts.h"
#include "ui/train/training_session.h"
#include "ui/workbench.h"

#include <QDir>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace maml;
using namespace maml::ui;

namespace {

QLabel* statsOf(QWidget& page)
{
    return page.findChild<QLabel*>(QStringLiteral("trainStats"));
}

void write(const QString& file, const std::string& text)
{
    QDir().mkpath(QFileInfo(file).absolutePath());
    writeFileAtomic(file.toStdString(), text);
}

} // namespace

class TestRunGuards : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        maml::registerBuiltinModules();
        QVERIFY(m_dir.isValid());
        qputenv("XDG_CACHE_HOME", m_dir.filePath(QStringLiteral("cache")).toUtf8());
    }

    void aLockedRunNamesItsHolder()
    {
        const QString run = m_dir.filePath(QStringLiteral("locked"));
        ExperimentConfig c = preset(defaultPresetName());
        c.iterations = 4;
        write(run + QStringLiteral("/config.json"), c.toJson().dump(2));
        RunLock holder(run.toStdString(), "train"); // as `maml-cli train` in another window would
        Workbench workbench;
        TrainPage page(&workbench);
        page.setRunDir(run);
        QSignalSpy failed(page.session(), &TrainingSession::failed);
        page.continueRun();
        QVERIFY(failed.wait(60000));
        const QString expected = QStringLiteral("in use by process %1").arg(::getpid());
        QVERIFY2(statsOf(page)->text().contains(expected), qPrintable(statsOf(page)->text()));
        QVERIFY(!page.session()->isRunning());
    }

    void aRunTrainedElsewhereIsFollowedWithoutAnEta()
    {
        const QString run = m_dir.filePath(QStringLiteral("followed"));
        ExperimentConfig c = preset(defaultPresetName());
        c.iterations = 100;
        write(run + QStringLiteral("/config.json"), c.toJson().dump(2));
        const std::string line10 = "{\"iteration\": 10, \"iterations\": 100, \"train_loss\": 1.5, "
                                   "\"train_accuracy\": 0.4, \"seconds\": 20}\n";
        write(run + QStringLiteral("/metrics.jsonl"), line10);
        Workbench workbench;
        TrainPage page(&workbench);
        {
            RunLock holder(run.toStdString(), "resume"); // as `maml-cli resume` in another window would
            QVERIFY(page.openRun(run));
            QString text = statsOf(page)->text();
            QVERIFY2(text.contains(QStringLiteral("Being trained by process %1").arg(::getpid())),
                     qPrintable(text));
            QVERIFY2(!text.contains(QStringLiteral("ETA")), qPrintable(text));
            QCOMPARE(page.charts()->current().train.size(), 1);
            // The other process writes on; the page reads it again by itself.
            write(run + QStringLiteral("/metrics.jsonl"),
                  line10 + "{\"iteration\": 11, \"iterations\": 100, \"train_loss\": 1.4, "
                           "\"train_accuracy\": 0.45, \"seconds\": 22}\n");
            QTRY_COMPARE_WITH_TIMEOUT(page.charts()->current().train.size(), 2, 15000);
            text = statsOf(page)->text();
            QVERIFY2(text.contains(QStringLiteral("iteration 11 of 100")), qPrintable(text));
        }
        // That process has ended: opening it again says it is not training.
        QVERIFY(page.openRun(run));
        const QString text = statsOf(page)->text();
        QVERIFY2(text.contains(QStringLiteral("Opened, not training")), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("ETA")), qPrintable(text));
    }

    void aGarbageConfigIsReportedNotIgnored()
    {
        const QString run = m_dir.filePath(QStringLiteral("garbage"));
        write(run + QStringLiteral("/config.json"), "{\"ways\": 5, garbage");
        write(run + QStringLiteral("/metrics.jsonl"),
              "{\"iteration\": 10, \"train_loss\": 1.5, \"train_accuracy\": 0.4}\n");
        Workbench workbench;
        ExperimentConfig before = workbench.experiment();
        TrainPage page(&workbench);
        QVERIFY(page.openRun(run));
        const QString text = statsOf(page)->text();
        QVERIFY2(text.contains(QStringLiteral("config.json cannot be read")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("not valid JSON")), qPrintable(text));
        QCOMPARE(page.charts()->current().train.size(), 1);
        QCOMPARE(workbench.experiment().toJson(), before.toJson());
    }

    void aDeeplyNestedConfigDoesNotCrashTheWindow()
    {
        const QString run = m_dir.filePath(QStringLiteral("deep"));
        write(run + QStringLiteral("/config.json"),
              "{\"extra\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
        MainWindow window; // what `maml-workbench --run DIR` does
        window.openRun(run);
        const QString text = statsOf(*window.trainPage())->text();
        QVERIFY2(text.contains(QStringLiteral("nested more than")), qPrintable(text));
    }

    void hugeNumbersInMetricsKeepTheLayout()
    {
        const QString run = m_dir.filePath(QStringLiteral("huge"));
        ExperimentConfig c = preset(defaultPresetName());
        write(run + QStringLiteral("/config.json"), c.toJson().dump(2));
        write(run + QStringLiteral("/metrics.jsonl"),
              "{\"iteration\": 1, \"train_loss\": 2.0, \"train_accuracy\": 0.2, \"seconds\": 1}\n"
              "{\"iteration\": 2, \"train_loss\": 1e300, \"train_accuracy\": 0.3, \"seconds\": 2}\n"
              "{\"iteration\": 1e18, \"train_loss\": 1.0, \"train_accuracy\": 0.3, \"seconds\": 3}\n"
              "{\"iteration\": 3, \"train_loss\": 1.5, \"train_accuracy\": 1e200, \"seconds\": 4}\n"
              "{\"iteration\": 4, \"train_loss\": 5e11, \"train_accuracy\": 0.4, \"seconds\": 1e-300}\n");
        Workbench workbench;
        TrainPage page(&workbench);
        page.resize(1000, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.openRun(run));
        QCOMPARE(page.charts()->current().train.size(), 2); // iterations 1 and 4
        const QString text = statsOf(page)->text();
        QVERIFY2(text.size() < 200, qPrintable(text));
        QVERIFY2(page.minimumSizeHint().width() < 1200,
                 qPrintable(QString::number(page.minimumSizeHint().width())));
        QVERIFY2(page.width() <= 1000, qPrintable(QString::number(page.width())));
    }
};

QTEST_MAIN(TestRunGuards)
#include "test_run_guards.moc"
