// maml-workbench: the Qt workbench (the screenshot tour is a tool of its own: tools/screenshot_tour).
#include "core/modules.h"
#include "core/util/log.h"
#include "ui/common/log_bridge.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>
#include <cstdlib>

namespace {

bool haveDisplay()
{
    const char* platform = std::getenv("QT_QPA_PLATFORM");
    if (platform && *platform)
        return true;
    return (std::getenv("DISPLAY") && *std::getenv("DISPLAY")) ||
           (std::getenv("WAYLAND_DISPLAY") && *std::getenv("WAYLAND_DISPLAY"));
}

// A platform plugin that cannot start (e.g. DISPLAY points to no server) is fatal in Qt;
// say what to do instead of aborting with a core dump.
void messageHandler(QtMsgType type, const QMessageLogContext&, const QString& message)
{
    std::fprintf(stderr, "%s\n", qPrintable(message));
    if (type == QtFatalMsg) {
        if (message.contains(QLatin1String("platform plugin")))
            std::fprintf(stderr, "maml-workbench could not open a window. Try: xvfb-run -a maml-workbench\n");
        std::_Exit(2);
    }
}

} // namespace

int main(int argc, char** argv)
{
    // Without a display Qt would abort inside QApplication; say what to do instead.
    if (!haveDisplay()) {
        std::fprintf(stderr,
                     "maml-workbench needs a graphical session (DISPLAY or WAYLAND_DISPLAY is unset).\n"
                     "Run it under a virtual display: xvfb-run -a maml-workbench\n"
                     "or use the command line: maml-cli train --preset glyphs-5w1s --run-dir runs/glyphs\n");
        return 2;
    }
    qInstallMessageHandler(messageHandler);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("maml-workbench"));
    QApplication::setOrganizationName(QStringLiteral("maml-workbench"));
    QApplication::setApplicationVersion(QStringLiteral(MAML_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("MAML Workbench: few-shot learning with MAML"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption run(QStringLiteral("run"), QStringLiteral("Open this run folder at start."),
                           QStringLiteral("dir"));
    parser.addOption(run);
    parser.process(app);

    maml::registerBuiltinModules();
    maml::initLogging(maml::defaultLogFile(), "warn");
    maml::ui::LogBridge::install();

    maml::ui::MainWindow window;
    window.show();
    if (parser.isSet(run))
        window.openRun(parser.value(run));
    return app.exec();
}
