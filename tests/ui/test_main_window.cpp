// Help > About shows what `maml-workbench --version` prints: the version, the git revision of the
// build, and the Qt, LibTorch and OpenCV versions.
#include "core/modules.h"
#include "core/util/build_info.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace maml;
using namespace maml::ui;

class TestMainWindow : public QObject {
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
    }

    void aboutNamesVersionRevisionAndLibraries()
    {
        MainWindow window;
        QString text;
        // The box is modal: read and close it from the event loop its exec() runs.
        QTimer poll;
        connect(&poll, &QTimer::timeout, [&] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                text = box->text();
                box->accept();
            }
        });
        poll.start(20);
        window.about();
        poll.stop();
        QVERIFY2(text.contains(QStringLiteral("MAML Workbench %1").arg(QLatin1String(projectVersion()))),
                 qPrintable(text));
        QVERIFY2(text.contains(QString::fromLatin1(gitRevision()).toHtmlEscaped()), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Qt %1, ").arg(QLatin1String(qVersion()))), qPrintable(text));
        QVERIFY2(text.contains(QString::fromStdString(libraryVersions())), qPrintable(text));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
