// The experiment dialog: inline validation with the sampler's exact reason, OK disabled until
// valid, class picker, JSON save/load. Also the Evaluate page on a CIFAR-100 copy whose test
// classes are empty (it shares this file's CIFAR writer).
#include "core/data/dataset.h"
#include "core/data/dataset_cache.h"
#include "core/engine/checkpoint.h"
#include "core/engine/evaluator.h"
#include "core/engine/model_factory.h"
#include "core/engine/presets.h"
#include "core/modules.h"
#include "ui/common/dataset_image.h"
#include "ui/evaluate/evaluate_page.h"
#include "ui/experiment/class_picker.h"
#include "ui/experiment/experiment_dialog.h"
#include "ui/workbench.h"

#include "test_support.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace maml;
using namespace maml::ui;

class TestExperimentDialog : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_cache;

    static QPushButton* okButton(ExperimentDialog& d)
    {
        return d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    }
    static QString message(ExperimentDialog& d)
    {
        return d.findChild<QLabel*>(QStringLiteral("validationMessage"))->text();
    }
    static void waitOpened(ExperimentDialog& d) { QTRY_VERIFY_WITH_TIMEOUT(!d.isLoading(), 180000); }
    /// The study preset on a CIFAR-100 folder written in `dir` like the development copy: the 20
    /// CIFAR-FS test classes named but empty, 7 images in every other class (2-shot 5-query).
    static ExperimentConfig studyOnDevLikeCopy(const QString& dir)
    {
        maml::test::writeCifarFolder(dir.toStdString(), 6, 1,
                                     {"whale",      "poppy", "rose",     "sweet_pepper", "telephone",
                                      "bed",        "table", "wardrobe", "leopard",      "plain",
                                      "chimpanzee", "fox",   "snail",    "worm",         "baby",
                                      "man",        "woman", "bicycle",  "pickup_truck", "rocket"});
        auto c = preset("study-cifar100-5w10s");
        c.dataset = "cifar100:" + dir.toStdString();
        c.shots = 2;
        c.queries = 5;
        return c;
    }

    /// The study on such a copy as a checkpoint's config (all training images, one thread).
    static ExperimentConfig studyCheckpointConfig(const QString& dir)
    {
        auto c = studyOnDevLikeCopy(dir);
        c.trainImages = 0;
        c.threads = 1;
        return c;
    }

    /// A freshly initialised model of `c` saved as a checkpoint at `file`.
    static void saveFreshCheckpoint(const QString& file, const ExperimentConfig& c)
    {
        CheckpointInfo info;
        info.config = c;
        saveCheckpoint(file.toStdString(), *makeModel(c), nullptr, info);
    }

private Q_SLOTS:
    void initTestCase()
    {
        maml::registerBuiltinModules();
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_cache.isValid());
        // Glyphs are generated into this test's own cache, not the user's.
        qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
    }

    void defaultPresetIsValid()
    {
        ExperimentDialog d(preset(defaultPresetName()));
        waitOpened(d);
        QVERIFY2(d.problems().isEmpty(), qPrintable(d.problems().join(QLatin1Char('\n'))));
        QVERIFY(okButton(d)->isEnabled());
    }

    void impossibleShotsDisableOk()
    {
        ExperimentDialog d(preset(defaultPresetName()));
        waitOpened(d);
        const auto c = d.config();
        auto ds = DatasetCache::instance().open(c.dataset, {c.imageSize, c.channels, c.rotations});
        int fewest = 1 << 30;
        for (int cls : ds->splitClasses(c.trainSplit))
            fewest = std::min(fewest, ds->imageCount(cls));
        d.findChild<QSpinBox*>(QStringLiteral("shots"))->setValue(10);
        d.findChild<QSpinBox*>(QStringLiteral("queries"))->setValue(fewest);
        QTRY_VERIFY(!okButton(d)->isEnabled());
        const QString expected = QStringLiteral("images; K + Q = %1").arg(10 + fewest);
        QVERIFY2(message(d).contains(expected), qPrintable(message(d)));
        QVERIFY2(message(d).contains(QStringLiteral("class '")), qPrintable(message(d)));
        // Back to a possible request: OK comes back.
        d.findChild<QSpinBox*>(QStringLiteral("queries"))->setValue(fewest - 10);
        QTRY_VERIFY(okButton(d)->isEnabled());
    }

    void tooManyWaysAndBadSettings()
    {
        ExperimentDialog d(preset(defaultPresetName()));
        waitOpened(d);
        d.findChild<QSpinBox*>(QStringLiteral("ways"))->setValue(999);
        QTRY_VERIFY(!okButton(d)->isEnabled());
        QVERIFY2(message(d).contains(QStringLiteral("classes but the episode needs")),
                 qPrintable(message(d)));
        d.findChild<QSpinBox*>(QStringLiteral("ways"))->setValue(1);
        QTRY_VERIFY(!okButton(d)->isEnabled());
        QVERIFY2(message(d).contains(QStringLiteral("ways (N) must be in 2..")), qPrintable(message(d)));
        d.findChild<QSpinBox*>(QStringLiteral("ways"))->setValue(5);
        d.findChild<QSpinBox*>(QStringLiteral("iterations"))->setValue(0);
        QTRY_VERIFY(!okButton(d)->isEnabled());
        QVERIFY2(message(d).contains(QStringLiteral("iterations must be in 1..")), qPrintable(message(d)));
    }

    void pickedClassesReachTheConfig()
    {
        ExperimentDialog d(preset(defaultPresetName()));
        waitOpened(d);
        auto* picker = d.findChild<ClassPicker*>();
        QVERIFY(picker->classCount() >= 5);
        picker->checkRandom(6, 42);
        QCOMPARE(static_cast<int>(d.config().trainClasses.size()), 6);
        QVERIFY(okButton(d)->isEnabled());
        // Fewer picked classes than N-way is impossible and says so.
        picker->checkRandom(3, 42);
        QTRY_VERIFY(!okButton(d)->isEnabled());
        QVERIFY2(message(d).contains(QStringLiteral("3 classes")), qPrintable(message(d)));
    }

    void emptyTestClassesAreANoteNotARefusal()
    {
        // As the CIFAR-100 development copy: the 20 CIFAR-FS test classes are named but empty.
        // The study trains on it (training and validation never sample the test split); the
        // dialog says which test class is empty and where to evaluate instead.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto c = studyOnDevLikeCopy(dir.path());
        ExperimentDialog d(c);
        waitOpened(d);
        QVERIFY2(d.problems().isEmpty(), qPrintable(d.problems().join(QLatin1Char('\n'))));
        QVERIFY(okButton(d)->isEnabled());
        QVERIFY2(message(d).contains(QStringLiteral("Note: test split 'test': class")),
                 qPrintable(message(d)));
        QVERIFY2(message(d).contains(QStringLiteral("has 0 images")), qPrintable(message(d)));
        // An empty class the run would sample is still a refusal that names it.
        c.valSplit = "all";
        c.valClasses = {"whale", "otter", "seal", "shark", "lion"};
        ExperimentDialog refused(c);
        waitOpened(refused);
        QVERIFY(!okButton(refused)->isEnabled());
        QVERIFY2(message(refused).contains(QStringLiteral("class 'whale' has 0 images")),
                 qPrintable(message(refused)));
    }

    void evaluatePageTurnsToValWhenTheTestClassesAreEmpty()
    {
        // A checkpoint of the study on a copy like the development one: the Evaluate page would
        // default to the empty test classes; it switches to val, says why, and evaluates there.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto c = studyCheckpointConfig(dir.path());
        const QString checkpoint = dir.filePath(QStringLiteral("study.pt"));
        saveFreshCheckpoint(checkpoint, c);

        Workbench workbench;
        EvaluatePage page(&workbench);
        auto* split = page.findChild<QComboBox*>(QStringLiteral("evalSplit"));
        auto* note = page.findChild<QLabel*>(QStringLiteral("evalSplitNote"));
        QCOMPARE(split->currentText(), QStringLiteral("test"));
        page.setCheckpoint(checkpoint);
        QTRY_COMPARE_WITH_TIMEOUT(page.split(), QStringLiteral("val"), 60000);
        QVERIFY2(note->text().contains(QStringLiteral("has 0 images")), qPrintable(note->text()));
        QVERIFY2(note->text().contains(QStringLiteral("Classes set to <b>val</b>")),
                 qPrintable(note->text()));
        QVERIFY(!note->isHidden());
        page.setEpisodes(3);
        QSignalSpy evaluated(&page, &EvaluatePage::evaluated);
        page.evaluate();
        QVERIFY(evaluated.wait(120000));
        QCOMPARE(evaluated.first().first().toBool(), true);
        QCOMPARE(QString::fromStdString(page.result()->split), QStringLiteral("val"));

        // A checkpoint whose test split is usable leaves the choice alone and shows no note.
        maml::test::writeCifarFolder(dir.filePath(QStringLiteral("full")).toStdString(), 6, 1, {});
        c.dataset = "cifar100:" + dir.filePath(QStringLiteral("full")).toStdString();
        const QString full = dir.filePath(QStringLiteral("full.pt"));
        saveFreshCheckpoint(full, c);
        split->setCurrentText(QStringLiteral("test"));
        page.setCheckpoint(full);
        QVERIFY(note->isHidden());
        QTest::qWait(2000); // the check runs off the GUI thread: give it time to (not) answer
        QCOMPARE(page.split(), QStringLiteral("test"));
        QVERIFY(note->isHidden());
    }

    void evaluatePageChecksTheRunsCheckpointBeforeEvaluatingIt()
    {
        // The run folder was chosen before training wrote a checkpoint, so the field is empty when
        // Evaluate is pressed: the run's checkpoint is checked as a chosen one is (the empty test
        // classes turn the page to val) before the evaluation starts.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto c = studyCheckpointConfig(dir.path());
        const QString run = dir.filePath(QStringLiteral("run"));
        Workbench workbench;
        EvaluatePage page(&workbench);
        workbench.setRunDir(run);
        auto* field = page.findChild<QLineEdit*>(QStringLiteral("evalCheckpoint"));
        auto* note = page.findChild<QLabel*>(QStringLiteral("evalSplitNote"));
        QVERIFY(field && note);
        QVERIFY(field->text().isEmpty());
        QVERIFY(QDir().mkpath(run + QStringLiteral("/checkpoints")));
        saveFreshCheckpoint(run + QStringLiteral("/checkpoints/best.pt"), c);
        page.setEpisodes(3);
        QSignalSpy evaluated(&page, &EvaluatePage::evaluated);
        page.evaluate();
        QVERIFY(evaluated.wait(120000));
        QCOMPARE(evaluated.first().first().toBool(), true);
        QCOMPARE(QString::fromStdString(page.result()->split), QStringLiteral("val"));
        QVERIFY(!note->isHidden());
        QCOMPARE(field->text(), workbench.runCheckpoint());
    }

    void evaluatePageDropsAPendingEvaluationWhenAnotherCheckpointIsChosen()
    {
        // Evaluate pressed with an empty field waits for the check of the run's checkpoint; if the
        // user chooses another file before that check fails, Evaluate is usable again at once.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString run = dir.filePath(QStringLiteral("run"));
        Workbench workbench;
        EvaluatePage page(&workbench);
        workbench.setRunDir(run); // before training wrote a checkpoint: the field stays empty
        auto* field = page.findChild<QLineEdit*>(QStringLiteral("evalCheckpoint"));
        auto* button = page.findChild<QPushButton*>(QStringLiteral("evaluateButton"));
        QVERIFY(field && button);
        QVERIFY(field->text().isEmpty());
        QVERIFY(QDir().mkpath(run + QStringLiteral("/checkpoints")));
        QFile broken(run + QStringLiteral("/checkpoints/best.pt"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a checkpoint");
        broken.close();
        QSignalSpy evaluated(&page, &EvaluatePage::evaluated);
        page.evaluate();
        QVERIFY(!button->isEnabled()); // waiting for the check
        field->setText(dir.filePath(QStringLiteral("other.pt")));
        QTRY_VERIFY_WITH_TIMEOUT(button->isEnabled(), 30000);
        QTest::qWait(200);
        QCOMPARE(evaluated.count(), 0); // nothing evaluated the file that is no longer chosen
    }

    void evaluatePageScoresAPerStepCheckpointWithTheQuerySetsStatisticsOnRequest()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto c = studyCheckpointConfig(dir.path()); // the page turns to val by itself on this copy
        c.batchNorm = "per-step";
        const QString perStep = dir.filePath(QStringLiteral("per-step.pt"));
        saveFreshCheckpoint(perStep, c);
        c.batchNorm = "batch";
        const QString batch = dir.filePath(QStringLiteral("batch.pt"));
        saveFreshCheckpoint(batch, c);

        Workbench workbench;
        EvaluatePage page(&workbench);
        auto* mode = page.findChild<QComboBox*>(QStringLiteral("evalBatchNorm"));
        QVERIFY(mode);
        QVERIFY(!mode->isEnabled()); // no checkpoint yet
        page.setCheckpoint(perStep);
        QTRY_VERIFY_WITH_TIMEOUT(mode->isEnabled(), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(page.split(), QStringLiteral("val"), 60000);
        mode->setCurrentIndex(1);
        page.setEpisodes(3);
        QSignalSpy evaluated(&page, &EvaluatePage::evaluated);
        page.evaluate();
        QVERIFY(evaluated.wait(120000));
        QCOMPARE(evaluated.first().first().toBool(), true);
        QCOMPARE(QString::fromStdString(page.result()->batchNorm), QStringLiteral("per-step-batch"));
        auto* headline = page.findChild<QLabel*>(QStringLiteral("evalHeadline"));
        QVERIFY2(headline->text().contains(QStringLiteral("query set")), qPrintable(headline->text()));

        // A checkpoint that normalises over the query set already: nothing to choose.
        page.setCheckpoint(batch);
        QTRY_COMPARE_WITH_TIMEOUT(mode->currentIndex(), 0, 60000);
        QVERIFY(!mode->isEnabled());
    }

    void mamlppPartsAreOffByDefaultAndReachTheConfig()
    {
        ExperimentConfig c = preset(defaultPresetName());
        c.firstOrder = false;
        ExperimentDialog d(c);
        waitOpened(d);
        auto box = [&d](const char* name) { return d.findChild<QCheckBox*>(QString::fromLatin1(name)); };
        auto* annealing = d.findChild<QSpinBox*>(QStringLiteral("firstOrderIterations"));
        for (const char* name : {"lslr", "multiStepLoss", "perStepBn", "cosineMetaLr", "checkpointSteps"}) {
            QVERIFY2(box(name), name);
            QVERIFY2(!box(name)->isChecked(), name); // plain MAML stays plain MAML
        }
        QVERIFY(annealing);
        QCOMPARE(annealing->value(), 0);
        QVERIFY(!d.config().usesMamlpp());

        for (const char* name : {"lslr", "multiStepLoss", "perStepBn", "cosineMetaLr", "checkpointSteps"})
            box(name)->setChecked(true);
        annealing->setValue(100);
        auto m = d.config();
        QVERIFY(m.lslr && m.multiStepLoss && m.cosineMetaLr && m.checkpointInnerSteps);
        QCOMPARE(QString::fromStdString(m.batchNorm), QStringLiteral("per-step"));
        QCOMPARE(m.firstOrderIterations, int64_t{100});
        QTRY_VERIFY2(okButton(d)->isEnabled(), qPrintable(message(d)));

        // A dialog opened on that config shows it; unticking per-step BN returns to batch statistics.
        ExperimentDialog again(m);
        waitOpened(again);
        QVERIFY(again.findChild<QCheckBox*>(QStringLiteral("perStepBn"))->isChecked());
        QCOMPARE(again.findChild<QSpinBox*>(QStringLiteral("firstOrderIterations"))->value(), 100);
        again.findChild<QCheckBox*>(QStringLiteral("perStepBn"))->setChecked(false);
        QCOMPARE(QString::fromStdString(again.config().batchNorm), QStringLiteral("batch"));

        // Recomputing inner steps is for second order: with first order it is refused, and says why.
        m.firstOrder = true;
        m.firstOrderIterations = 0;
        ExperimentDialog firstOrder(m);
        waitOpened(firstOrder);
        QTRY_VERIFY(!okButton(firstOrder)->isEnabled());
        QVERIFY2(message(firstOrder).contains(QStringLiteral("checkpoint_inner_steps is for second-order")),
                 qPrintable(message(firstOrder)));
        firstOrder.findChild<QCheckBox*>(QStringLiteral("checkpointSteps"))->setChecked(false);
        QTRY_VERIFY2(okButton(firstOrder)->isEnabled(), qPrintable(message(firstOrder)));
    }

    void jsonRoundTrip()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("experiment.json"));
        ExperimentConfig c = preset(defaultPresetName());
        c.shots = 2;
        c.innerLr = 0.25;
        c.seed = 1234;
        c.processes = 3;
        ExperimentDialog d(c);
        waitOpened(d);
        // "Processes" (beside Threads) shows the config's and stores the one chosen.
        auto* processes = d.findChild<QSpinBox*>(QStringLiteral("processes"));
        QVERIFY(processes);
        QCOMPARE(processes->value(), 3);
        processes->setValue(2);
        QCOMPARE(d.config().processes, 2);
        processes->setValue(3);
        QVERIFY(d.saveFile(file));
        ExperimentDialog other(preset(defaultPresetName()));
        QVERIFY(other.loadFile(file));
        QCOMPARE(QString::fromStdString(other.config().toJson().dump()),
                 QString::fromStdString(c.toJson().dump()));
        // A broken file is reported, not applied.
        QFile broken(dir.filePath(QStringLiteral("broken.json")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("{\"ways\": ");
        broken.close();
        QVERIFY(!other.loadFile(broken.fileName()));
        QCOMPARE(other.config().seed, static_cast<uint64_t>(1234));
    }
};

QTEST_MAIN(TestExperimentDialog)
#include "test_experiment_dialog.moc"
