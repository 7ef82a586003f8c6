// The Adapt page: drops (QMimeData URLs, as a file manager sends them, and image data, as the
// episode viewer can) onto the class bins and the query area, a non-image file left out with a
// message, and predictions with probabilities after "Adapt"; "Export..." writes the adapted model
// as a TorchScript file that plain PyTorch loads.
#include "core/data/dataset.h"
#include "core/data/dataset_cache.h"
#include "core/engine/presets.h"
#include "core/engine/trainer.h"
#include "core/modules.h"
#include "ui/adapt/adapt_page.h"
#include "ui/adapt/adapt_session.h"
#include "ui/adapt/class_bin.h"
#include "ui/adapt/query_area.h"
#include "ui/common/dataset_image.h"
#include "ui/common/image_tile.h"
#include "ui/workbench.h"

#include <QDropEvent>
#include <QMimeData>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

using namespace maml;
using namespace maml::ui;

namespace {

/// Sends drag-enter + drop of `mime` to `target`, as a real drag would; returns whether the
/// drag was accepted.
bool dropOn(QWidget* target, QMimeData* mime)
{
    const QPointF pos(target->width() / 2.0, target->height() / 2.0);
    QDragEnterEvent enter(pos.toPoint(), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    if (!enter.isAccepted())
        return false;
    QDropEvent drop(pos, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

QMimeData* urls(const QStringList& files)
{
    auto* mime = new QMimeData;
    QList<QUrl> list;
    for (const auto& f : files)
        list << QUrl::fromLocalFile(f);
    mime->setUrls(list);
    return mime;
}

} // namespace

class TestAdaptPage : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_checkpoint;
    ExperimentConfig m_config;

    QString writeImage(int cls, int index)
    {
        auto ds = DatasetCache::instance().open(m_config.dataset, {m_config.imageSize, m_config.channels});
        const QString path = m_dir.filePath(QStringLiteral("c%1_%2.png").arg(cls).arg(index));
        datasetImage(*ds, cls, index).save(path);
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        maml::registerBuiltinModules();
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        qputenv("XDG_CACHE_HOME", m_dir.filePath(QStringLiteral("cache")).toUtf8());
        // A tiny checkpoint: a few meta-iterations are enough to test the page's plumbing.
        m_config = preset(defaultPresetName());
        m_config.ways = 3;
        m_config.iterations = 3;
        m_config.metaBatch = 2;
        m_config.filters = 16;
        m_config.queries = 3;
        m_config.valEvery = 3;
        m_config.valEpisodes = 2;
        m_config.threads = 1;
        const QString run = m_dir.filePath(QStringLiteral("run"));
        auto trainer = Trainer::startRun(m_config, run.toStdString());
        trainer.run();
        m_checkpoint = QString::fromStdString(RunPaths{run.toStdString()}.last().string());
        QVERIFY(QFileInfo::exists(m_checkpoint));
    }

    void dropsAdaptAndPredict()
    {
        Workbench workbench;
        AdaptPage page(&workbench);
        page.resize(1100, 800);
        page.show();
        page.loadCheckpoint(m_checkpoint);
        QTRY_VERIFY_WITH_TIMEOUT(page.isModelLoaded(), 60000);
        QCOMPARE(page.bins().size(), 3);

        auto ds = DatasetCache::instance().open(m_config.dataset, {m_config.imageSize, m_config.channels});
        const auto pool = ds->splitClasses(m_config.testSplit);
        QStringList queries;
        for (int b = 0; b < 3; ++b) {
            const int cls = pool[b];
            page.bins()[b]->setName(QString::fromStdString(ds->classNames()[cls]));
            std::unique_ptr<QMimeData> mime(urls({writeImage(cls, 0), writeImage(cls, 1)}));
            QVERIFY(dropOn(page.bins()[b], mime.get()));
            QCOMPARE(page.bins()[b]->files().size(), 2);
            queries << writeImage(cls, 2);
        }

        // A file that is not an image is left out with a message naming it; nothing else changes.
        QFile notes(m_dir.filePath(QStringLiteral("notes.txt")));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("not an image\n");
        notes.close();
        QFile fake(m_dir.filePath(QStringLiteral("fake.png")));
        QVERIFY(fake.open(QIODevice::WriteOnly));
        fake.write("this is text with a .png name");
        fake.close();
        std::unique_ptr<QMimeData> bad(urls({notes.fileName(), fake.fileName()}));
        dropOn(page.bins()[0], bad.get());
        QCOMPARE(page.bins()[0]->files().size(), 2);
        QVERIFY2(page.message().contains(QStringLiteral("notes.txt is not a readable image")),
                 qPrintable(page.message()));
        QVERIFY2(page.message().contains(QStringLiteral("fake.png")), qPrintable(page.message()));

        // Queries: file URLs plus one image without a file (as dragged from the episode viewer).
        std::unique_ptr<QMimeData> q(urls(queries));
        QVERIFY(dropOn(page.queryArea(), q.get()));
        std::unique_ptr<QMimeData> imageOnly(new QMimeData);
        imageOnly->setImageData(datasetImage(*ds, pool[0], 3));
        imageOnly->setText(QString::fromStdString(ds->classNames()[pool[0]]));
        QVERIFY(dropOn(page.queryArea(), imageOnly.get()));
        std::unique_ptr<QMimeData> badQuery(urls({notes.fileName()}));
        dropOn(page.queryArea(), badQuery.get());
        QCOMPARE(page.queryArea()->files().size(), 4);

        QSignalSpy shown(&page, &AdaptPage::predictionsShown);
        auto* adaptButton = page.findChild<QPushButton*>(QStringLiteral("adaptButton"));
        QTRY_VERIFY(adaptButton->isEnabled());
        QTest::mouseClick(adaptButton, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page.queryArea()->predictionCount() == 4 && !page.losses().isEmpty(), 60000);
        QCOMPARE(page.losses().size(), m_config.innerStepsEval);
        for (const auto& file : page.queryArea()->files()) {
            const QString text = page.queryArea()->predictionText(file);
            QVERIFY2(text.contains(QLatin1Char('%')), qPrintable(text));
            bool named = false;
            for (auto* bin : page.bins())
                named = named || text.contains(bin->name());
            QVERIFY2(named, qPrintable(text));
        }

        // Export: enabled once adapted; writes on the session's thread, then says where.
        auto* exportButton = page.findChild<QPushButton*>(QStringLiteral("exportButton"));
        QVERIFY(exportButton);
        QTRY_VERIFY(exportButton->isEnabled());
        const QString file = m_dir.filePath(QStringLiteral("adapted.pt"));
        page.exportTo(file);
        QTRY_VERIFY_WITH_TIMEOUT(page.message().startsWith(QStringLiteral("Wrote")), 60000);
        QVERIFY2(page.message().contains(file), qPrintable(page.message()));
        QStringList names;
        for (auto* bin : page.bins())
            names << bin->name();
        QVERIFY2(page.message().contains(names.join(QStringLiteral(", "))), qPrintable(page.message()));
        QVERIFY(QFileInfo::exists(file));
        // Plain PyTorch loads it and scores images of the model's shape with the bins' names.
        QProcess python;
        python.start(
            QStringLiteral("/usr/bin/python3"),
            {QStringLiteral("-c"),
             QStringLiteral("import sys, torch\n"
                            "m = torch.jit.load(sys.argv[1])\n"
                            "p = m(torch.rand(2, m.channels, m.image_size, m.image_size))\n"
                            "print('|'.join(m.class_names), tuple(p.shape), round(float(p.sum()), 4))"),
             file});
        QVERIFY(python.waitForFinished(120000));
        const QString said =
            QString::fromUtf8(python.readAllStandardOutput() + python.readAllStandardError());
        QCOMPARE(python.exitCode(), 0);
        QVERIFY2(said.contains(names.join(QLatin1Char('|')) + QStringLiteral(" (2, 3) 2.0")),
                 qPrintable(said));

        // A file that cannot be written is said in the message, naming it.
        page.exportTo(QStringLiteral("/proc/x"));
        QTRY_VERIFY_WITH_TIMEOUT(page.message().contains(QStringLiteral("cannot create a file there")),
                                 60000);
        QVERIFY2(page.message().contains(QStringLiteral("/proc/x")), qPrintable(page.message()));

        // Reset to the meta-parameters is one click and still shows predictions; nothing adapted
        // is left to export.
        const int before = static_cast<int>(shown.count());
        page.resetModel();
        QVERIFY(!exportButton->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() > before, 60000);
        QCOMPARE(page.queryArea()->predictionCount(), 4);
        QVERIFY(!page.isAdapted());
        QVERIFY(!exportButton->isEnabled());
        page.exportTo(m_dir.filePath(QStringLiteral("after-reset.pt")));
        QTRY_VERIFY_WITH_TIMEOUT(page.message().contains(QStringLiteral("nothing adapted yet")), 60000);
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("after-reset.pt"))));
    }

    void anEpisodeImageSavedToAFileDropsOnABin()
    {
        // The Episodes page's tiles: "Save image..." writes the image at its own resolution (not
        // the zoomed picture), and the file drops on a class bin like any other.
        auto ds = DatasetCache::instance().open(m_config.dataset, {m_config.imageSize, m_config.channels});
        const QImage original = datasetImage(*ds, ds->splitClasses(m_config.testSplit)[0], 0);
        ImageTile tile(original, 4.0);
        QVERIFY(tile.pixmap().width() >= 4 * original.width());
        const QString path = m_dir.filePath(QStringLiteral("saved-tile.png"));
        QString error;
        QVERIFY2(tile.saveImage(path, &error), qPrintable(error));
        const QImage saved(path);
        QCOMPARE(saved.size(), original.size());
        QCOMPARE(saved.convertToFormat(original.format()), original);
        QVERIFY(!tile.saveImage(QStringLiteral("/proc/no-such-dir/x.png"), &error));
        QVERIFY2(error.contains(QStringLiteral("/proc/no-such-dir/x.png")), qPrintable(error));

        Workbench workbench;
        AdaptPage page(&workbench);
        page.loadCheckpoint(m_checkpoint);
        QTRY_VERIFY_WITH_TIMEOUT(page.isModelLoaded(), 60000);
        std::unique_ptr<QMimeData> mime(urls({path}));
        QVERIFY(dropOn(page.bins()[0], mime.get()));
        QCOMPARE(page.bins()[0]->files().size(), 1);
    }

    void exportWaitsForAnAdaptedModel()
    {
        Workbench workbench;
        AdaptPage page(&workbench);
        auto* exportButton = page.findChild<QPushButton*>(QStringLiteral("exportButton"));
        QVERIFY(exportButton);
        QVERIFY(!exportButton->isEnabled());
        page.exportTo(m_dir.filePath(QStringLiteral("early.pt")));
        QTRY_VERIFY_WITH_TIMEOUT(page.message().contains(QStringLiteral("no model loaded")), 30000);
        page.loadCheckpoint(m_checkpoint);
        QTRY_VERIFY_WITH_TIMEOUT(page.isModelLoaded(), 60000);
        QVERIFY(!exportButton->isEnabled());
        page.exportTo(m_dir.filePath(QStringLiteral("early.pt")));
        QTRY_VERIFY_WITH_TIMEOUT(page.message().contains(QStringLiteral("nothing adapted yet")), 30000);
        QVERIFY2(page.message().contains(QStringLiteral("Press Adapt")), qPrintable(page.message()));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("early.pt"))));
    }

    void missingCheckpointIsReported()
    {
        Workbench workbench;
        AdaptPage page(&workbench);
        QSignalSpy failed(page.session(), &AdaptSession::failed);
        page.loadCheckpoint(m_dir.filePath(QStringLiteral("nothing.pt")));
        QVERIFY(failed.wait(30000));
        QVERIFY2(page.message().contains(QStringLiteral("nothing.pt")) &&
                     !page.message().startsWith(QStringLiteral("Loading")),
                 qPrintable(page.message()));
        QVERIFY(!page.isModelLoaded());
    }
};

QTEST_MAIN(TestAdaptPage)
#include "test_adapt_page.moc"
