// The Train page follows a run folder that another process writes (maml-cli, a cluster run):
// lines appended to metrics.jsonl and train.log reach the charts, the speed and ETA and the
// log; half a line waits for its end; a rewritten file (a resume cuts it back) reloads.
#include "core/engine/presets.h"
#include "core/modules.h"
#include "ui/train/run_follower.h"
#include "ui/train/train_page.h"
#include "ui/train/training_charts.h"
#include "ui/workbench.h"

#include <QFile>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace maml;
using namespace maml::ui;

namespace {

void append(const QString& file, const QByteArray& text)
{
    QFile f(file);
    QVERIFY(f.open(QIODevice::Append));
    f.write(text);
}

/// A metrics line: iteration, loss and the cumulative seconds (2 iterations per second).
QByteArray line(int iteration, bool validation = false)
{
    QByteArray l =
        QStringLiteral("{\"iteration\": %1, \"train_loss\": %2, \"train_accuracy\": 0.5, \"seconds\": %3")
            .arg(iteration)
            .arg(1.0 / iteration)
            .arg(iteration / 2.0)
            .toUtf8();
    if (validation)
        l += ", \"val_loss\": 0.9, \"val_accuracy\": 0.625, \"val_ci95\": 0.05";
    return l + "}\n";
}

} // namespace

class TestRunFollower : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        maml::registerBuiltinModules();
        QStandardPaths::setTestModeEnabled(true);
    }

    void theTrainPageFollowsARunFolderLive()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ExperimentConfig config = preset(defaultPresetName());
        config.iterations = 100;
        QFile cfg(dir.filePath(QStringLiteral("config.json")));
        QVERIFY(cfg.open(QIODevice::WriteOnly));
        cfg.write(QByteArray::fromStdString(config.toJson().dump(2)));
        cfg.close();
        const QString metrics = dir.filePath(QStringLiteral("metrics.jsonl"));
        const QString log = dir.filePath(QStringLiteral("train.log"));
        append(metrics, line(10) + line(20));
        append(log, "info: training started\n");

        Workbench workbench;
        TrainPage page(&workbench);
        page.follower()->setInterval(20);
        QVERIFY(page.openRun(dir.path()));
        QVERIFY(page.follower()->isFollowing());
        QCOMPARE(page.charts()->current().train.size(), 2);
        const int refreshes = page.charts()->refreshCount();

        // Another process appends: a line with a validation, and half of the next line.
        append(metrics, line(30) + line(40, true) + line(50).left(20));
        append(log, "info: iteration 40: validation\n");
        QTRY_COMPARE(page.charts()->current().train.size(), 4);
        QCOMPARE(page.charts()->current().validation.size(), 1);
        QCOMPARE(page.charts()->current().validation.last().valAccuracy, 0.625);
        QVERIFY(page.charts()->refreshCount() > refreshes);
        // 2 iterations per second, 60 to go: 30 s.
        QTRY_VERIFY2(page.statsText().contains(QStringLiteral("2.00 it/s - ETA 30 s")),
                     qPrintable(page.statsText()));
        auto* logView = page.findChild<QPlainTextEdit*>();
        QVERIFY(logView);
        QTRY_VERIFY(logView->toPlainText().contains(QStringLiteral("iteration 40: validation")));
        QVERIFY(!logView->toPlainText().contains(QStringLiteral("training started"))); // only new lines

        // The rest of the half line arrives.
        append(metrics, line(50).mid(20));
        QTRY_COMPARE(page.charts()->current().train.size(), 5);
        QTRY_VERIFY2(page.statsText().contains(QStringLiteral("ETA 25 s")), qPrintable(page.statsText()));

        // A resume rewrites the file (a new file renamed over it) back to iteration 20.
        QSaveFile rewritten(metrics);
        QVERIFY(rewritten.open(QIODevice::WriteOnly));
        rewritten.write(line(10) + line(20));
        QVERIFY(rewritten.commit());
        QTRY_COMPARE(page.charts()->current().train.size(), 2);
        append(metrics, line(30));
        QTRY_COMPARE(page.charts()->current().train.size(), 3);
        QCOMPARE(page.charts()->current().train.last().iteration, 30);
    }

    void aFolderWithoutARunIsRefused()
    {
        QTemporaryDir dir;
        Workbench workbench;
        TrainPage page(&workbench);
        QVERIFY(!page.openRun(dir.path()));
        QVERIFY(!page.follower()->isFollowing());
        QVERIFY(page.statsText().contains(QStringLiteral("no training run here")));
    }
};

QTEST_MAIN(TestRunFollower)
#include "test_run_follower.moc"
