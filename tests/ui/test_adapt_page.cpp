// The Adapt page: drops (QMimeData URLs, as a file manager sends them, and image data, as the
// episode viewer can) onto the class bins and the query area, a non-image file left out with a
// message, and predictions with probabilities after "Adapt".
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
#include "ui/workbench.h"

#include <QDropEvent>
#include <QMimeData>
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

        // Reset to the meta-parameters is one click and still shows predictions.
        const int before = static_cast<int>(shown.count());
        page.resetModel();
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() > before, 60000);
        QCOMPARE(page.queryArea()->predictionCount(), 4);
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
