// The Data page's datasets table (issue 18 item 3): a missing CIFAR-100 row offers to choose a
// folder and to download; a folder that does not hold the dataset is refused with the reason; a
// chosen folder is remembered, so the row is available in the next session too (and in the CLI,
// which reads the same file: tests/core/test_cifar100.cpp).
#include "core/data/dataset_locations.h"
#include "core/modules.h"
#include "ui/data/data_page.h"
#include "ui/workbench.h"

#include <QImage>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace maml;
using namespace maml::ui;

namespace {

/// The row of `table` whose first column starts with `name`, or -1.
int rowOf(const QTableWidget& table, const QString& name)
{
    for (int r = 0; r < table.rowCount(); ++r)
        if (table.item(r, 0) && table.item(r, 0)->text().startsWith(name))
            return r;
    return -1;
}

QString statusOf(const QTableWidget& table, const QString& name)
{
    const int r = rowOf(table, name);
    return r < 0 ? QString() : table.item(r, 1)->text();
}

} // namespace

class TestDataPage : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    QString path(const QString& name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        maml::registerBuiltinModules();
        QVERIFY(m_dir.isValid());
        qputenv("XDG_CACHE_HOME", path(QStringLiteral("cache")).toUtf8());
        qputenv("XDG_CONFIG_HOME", path(QStringLiteral("config")).toUtf8());
        qunsetenv("MAML_OMNIGLOT_DIR");
        // A tiny Omniglot: one alphabet, two characters of two drawings each.
        for (const char* character : {"character01", "character02"}) {
            const QString dir = path(QStringLiteral("omni/images_background/Alphabet/%1").arg(character));
            QVERIFY(QDir().mkpath(dir));
            for (int i = 0; i < 2; ++i) {
                QImage image(105, 105, QImage::Format_Grayscale8);
                image.fill(i == 0 ? 255 : 0);
                QVERIFY(image.save(QStringLiteral("%1/%2.png").arg(dir).arg(i)));
            }
        }
        QVERIFY(QDir().mkpath(path(QStringLiteral("nothing"))));
    }

    void missingCifarOffersToChooseAndToDownload()
    {
        Workbench workbench;
        DataPage page(&workbench);
        auto* table = page.findChild<QTableWidget*>(QStringLiteral("datasetsTable"));
        QVERIFY(table);
        QCOMPARE(statusOf(*table, QStringLiteral("cifar100")), QStringLiteral("missing"));
        QVERIFY(page.findChild<QPushButton*>(QStringLiteral("choose-cifar100")));
        auto* download = page.findChild<QPushButton*>(QStringLiteral("download-cifar100"));
        QVERIFY(download);
        QVERIFY(download->isEnabled());
        QVERIFY2(download->toolTip().contains(path(QStringLiteral("cache"))),
                 qPrintable(download->toolTip()));
        // Available rows offer nothing.
        QCOMPARE(statusOf(*table, QStringLiteral("glyphs")), QStringLiteral("available"));
        QVERIFY(!table->cellWidget(rowOf(*table, QStringLiteral("glyphs")), 2));
    }

    void aFolderWithoutTheDatasetIsRefused()
    {
        Workbench workbench;
        DataPage page(&workbench);
        QVERIFY(!page.chooseFolder(QStringLiteral("cifar100"), path(QStringLiteral("nothing"))));
        QVERIFY2(page.datasetStatus().contains(QStringLiteral("holds no CIFAR-100 binary files")),
                 qPrintable(page.datasetStatus()));
        QVERIFY(!page.chooseFolder(QStringLiteral("omniglot"), path(QStringLiteral("nothing"))));
        QVERIFY2(page.datasetStatus().contains(QStringLiteral("neither images_background")),
                 qPrintable(page.datasetStatus()));
        QVERIFY(!std::filesystem::exists(datasetLocationsFile()));
    }

    void aChosenFolderIsRememberedInTheNextSession()
    {
        const QString omni = path(QStringLiteral("omni"));
        {
            Workbench workbench;
            DataPage page(&workbench);
            auto* table = page.findChild<QTableWidget*>(QStringLiteral("datasetsTable"));
            QCOMPARE(statusOf(*table, QStringLiteral("omniglot")), QStringLiteral("missing"));
            QVERIFY(page.findChild<QPushButton*>(QStringLiteral("choose-omniglot")));
            QVERIFY2(page.chooseFolder(QStringLiteral("omniglot"), omni), qPrintable(page.datasetStatus()));
            QVERIFY(page.datasetStatus().contains(QStringLiteral("remembered")));
            QCOMPARE(statusOf(*table, QStringLiteral("omniglot")), QStringLiteral("available"));
            QVERIFY(!table->cellWidget(rowOf(*table, QStringLiteral("omniglot")), 2)); // nothing to offer
        }
        Workbench workbench; // a later session
        DataPage page(&workbench);
        auto* table = page.findChild<QTableWidget*>(QStringLiteral("datasetsTable"));
        const int row = rowOf(*table, QStringLiteral("omniglot"));
        QCOMPARE(table->item(row, 1)->text(), QStringLiteral("available"));
        QCOMPARE(table->item(row, 3)->text(), omni);
    }
};

QTEST_MAIN(TestDataPage)
#include "test_data_page.moc"
