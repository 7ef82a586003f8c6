// The first launch (issue 16 item 1): with no settings the window starts from the default preset
// (glyphs-5w1s) on the Data page, in the experiment dialog and on the Train page, not from
// ExperimentConfig's struct defaults (60,000 iterations); a later launch restores the last
// experiment; a training run estimated at hours asks before it starts.
#include "core/engine/presets.h"
#include "core/modules.h"
#include "ui/data/data_page.h"
#include "ui/experiment/experiment_dialog.h"
#include "ui/main_window.h"
#include "ui/train/run_estimate.h"
#include "ui/train/train_page.h"
#include "ui/train/training_session.h"
#include "ui/workbench.h"

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <functional>

using namespace maml;
using namespace maml::ui;

namespace {

QString statsOf(const QWidget& page)
{
    auto* label = page.findChild<QLabel*>(QStringLiteral("trainStats"));
    return label ? label->text() : QString();
}

/// Answers the long-run question ("Start anyway" or Cancel) each time it shows; counts the
/// questions and keeps the last one's text.
class LongRunAnswerer {
public:
    explicit LongRunAnswerer(bool startAnyway)
    {
        QObject::connect(&m_poll, &QTimer::timeout, [this, startAnyway] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box || box->objectName() != QLatin1String("longRunQuestion"))
                return;
            ++count;
            text = box->text();
            if (!startAnyway)
                return box->button(QMessageBox::Cancel)->click();
            for (auto* button : box->buttons())
                if (button->text() == QLatin1String("Start anyway"))
                    return button->click();
        });
        m_poll.start(20);
    }
    int count = 0;
    QString text;

private:
    QTimer m_poll;
};

} // namespace

class TestFirstLaunch : public QObject {
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
        qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("data")).toUtf8());
        QSettings().clear();
        QVERIFY(!QSettings().contains(QStringLiteral("lastExperiment")));
    }

    void firstLaunchStartsFromTheDefaultPreset()
    {
        const ExperimentConfig expected = preset(defaultPresetName());
        QCOMPARE(QString::fromStdString(defaultPresetName()), QStringLiteral("glyphs-5w1s"));
        // Not the struct defaults: the check below would pass for them too otherwise.
        QVERIFY(expected.toJson() != ExperimentConfig().toJson());

        MainWindow window;
        QCOMPARE(window.workbench()->experiment().toJson(), expected.toJson());

        // Data page: the experiment's sentence.
        auto* summary = window.dataPage()->findChild<QLabel*>(QStringLiteral("experimentSummary"));
        QVERIFY(summary);
        QVERIFY2(summary->text().contains(QStringLiteral("glyphs - 5-way 1-shot, 5 queries per class; 500 "
                                                         "iterations of meta-batch 8")),
                 qPrintable(summary->text()));

        // Train page: the run it would start, with its estimated time (minutes, not hours).
        const QString stats = statsOf(*window.trainPage());
        QVERIFY2(stats.contains(QStringLiteral("500 iterations of meta-batch 8")), qPrintable(stats));
        QVERIFY2(stats.contains(QStringLiteral(" min ")) || stats.contains(QStringLiteral(" s ")),
                 qPrintable(stats));
        QVERIFY2(!stats.contains(QStringLiteral(" h ")), qPrintable(stats));

        // The experiment dialog (File > New experiment...) opens on the preset and names it.
        QString dialogJson, presetShown;
        QTimer poll;
        connect(&poll, &QTimer::timeout, [&] {
            auto* dialog = qobject_cast<ExperimentDialog*>(QApplication::activeModalWidget());
            if (!dialog || dialog->isLoading())
                return;
            dialogJson = QString::fromStdString(dialog->config().toJson().dump());
            presetShown = dialog->findChild<QComboBox*>(QStringLiteral("preset"))->currentText();
            dialog->reject();
        });
        poll.start(50);
        window.newExperiment();
        poll.stop();
        QCOMPARE(dialogJson, QString::fromStdString(expected.toJson().dump()));
        QCOMPARE(presetShown, QStringLiteral("glyphs-5w1s"));
        // Cancelled: the experiment stays.
        QCOMPARE(window.workbench()->experiment().toJson(), expected.toJson());
    }

    void laterLaunchesRestoreTheLastExperiment()
    {
        ExperimentConfig changed = preset(defaultPresetName());
        changed.iterations = 1234;
        changed.ways = 7;
        {
            MainWindow window;
            window.workbench()->setExperiment(changed);
            QVERIFY(window.close()); // saves the settings
        }
        MainWindow again;
        QCOMPARE(again.workbench()->experiment().toJson(), changed.toJson());
        QVERIFY2(statsOf(*again.trainPage()).contains(QStringLiteral("1234 iterations")),
                 qPrintable(statsOf(*again.trainPage())));

        // A setting that no longer reads falls back to the preset, not the struct defaults.
        QSettings().setValue(QStringLiteral("lastExperiment"), QStringLiteral("{\"ways\": \"five\"}"));
        MainWindow broken;
        QCOMPARE(broken.workbench()->experiment().toJson(), preset(defaultPresetName()).toJson());
        QSettings().clear();
    }

    void estimateTellsMinutesFromDays()
    {
        // Measured (README.md): glyphs-5w1s trains in 52 s on 2 threads.
        ExperimentConfig glyphs = preset(defaultPresetName());
        glyphs.threads = 2;
        const double minutes = estimatedTrainingSeconds(glyphs);
        QVERIFY2(minutes > 20 && minutes < 150, qPrintable(QString::number(minutes)));
        // The struct defaults (the paper's Omniglot budget): days.
        ExperimentConfig paper;
        paper.threads = 2;
        QVERIFY2(estimatedTrainingSeconds(paper) > 24 * 3600,
                 qPrintable(QString::number(estimatedTrainingSeconds(paper))));
        // It grows with what costs time.
        ExperimentConfig longer = glyphs;
        longer.iterations *= 10;
        QVERIFY(estimatedTrainingSeconds(longer) > 9 * minutes);
        ExperimentConfig firstOrder = glyphs;
        firstOrder.firstOrder = true;
        QVERIFY(estimatedTrainingSeconds(firstOrder) < minutes);
        // The text presets: minutes as well (sentiment-uci-2w5s: 2 min 48 s on 1 thread).
        ExperimentConfig text = preset("sentiment-uci-2w5s");
        text.threads = 1;
        const double textSeconds = estimatedTrainingSeconds(text);
        QVERIFY2(textSeconds > 60 && textSeconds < 400, qPrintable(QString::number(textSeconds)));
        // A model it cannot estimate: 0, and no question.
        ExperimentConfig unknown = glyphs;
        unknown.model = "mlp";
        QCOMPARE(estimatedTrainingSeconds(unknown), 0.0);
        QCOMPARE(formatDuration(3 * 3600 + 5 * 60), QStringLiteral("3 h 5 min"));
        QCOMPARE(formatDuration(52), QStringLiteral("52 s"));
    }

    void aLongRunAsksFirst()
    {
        Workbench workbench;
        ExperimentConfig paper; // 60,000 iterations of meta-batch 32 with 64 filters
        QVERIFY(estimatedTrainingSeconds(paper) > kLongRunSeconds);
        workbench.setExperiment(paper);
        TrainPage page(&workbench);
        const QString runDir = m_dir.filePath(QStringLiteral("paper-run"));
        page.setRunDir(runDir);
        QVERIFY2(statsOf(page).contains(QStringLiteral("60000 iterations of meta-batch 32")),
                 qPrintable(statsOf(page)));

        {
            // Cancel: nothing starts, and the page says why.
            LongRunAnswerer cancel(false);
            page.startTraining();
            QCOMPARE(cancel.count, 1);
            QVERIFY2(cancel.text.contains(QStringLiteral(" h ")), qPrintable(cancel.text));
            QVERIFY2(cancel.text.contains(QStringLiteral("60000 iterations")), qPrintable(cancel.text));
            QVERIFY(!page.session()->isRunning());
            QVERIFY(!QFileInfo::exists(runDir));
            QVERIFY2(statsOf(page).contains(QStringLiteral("Not started")), qPrintable(statsOf(page)));
        }
        {
            LongRunAnswerer start(true);
            QVERIFY(page.confirmLongRun(paper));
            QCOMPARE(start.count, 1);
        }
        {
            // A run of minutes starts without a question.
            LongRunAnswerer never(false);
            QVERIFY(page.confirmLongRun(preset(defaultPresetName())));
            QCOMPARE(never.count, 0);
        }
    }
};

QTEST_MAIN(TestFirstLaunch)
#include "test_first_launch.moc"
