// maml-workbench: the Qt workbench (the screenshot tour is a tool of its own: tools/screenshot_tour).
#include "core/modules.h"
#include "core/util/build_info.h"
#include "core/util/log.h"
#include "ui/common/log_bridge.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

bool haveDisplay()
{
    const char* platform = std::getenv("QT_QPA_PLATFORM");
    if (platform && *platform)
        return true;
    return (std::getenv("DISPLAY") && *std::getenv("DISPLAY")) ||
           (std::getenv("WAYLAND_DISPLAY") && *std::getenv("WAYLAND_DISPLAY"));
}

// --help and --version print and exit: they need no display (help2man runs them at build time).
bool onlyPrints(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
        for (const char* flag : {"-h", "--help", "--help-all", "-v", "--version"})
            if (std::strcmp(argv[i], flag) == 0)
                return true;
    return false;
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
    if (onlyPrints(argc, argv) && !haveDisplay())
        qputenv("QT_QPA_PLATFORM", "offscreen");
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
    QApplication::setApplicationVersion(QString::fromLatin1(maml::projectVersion()));
    // Lets the desktop (Wayland in particular) match the window to the installed .desktop file.
    QGuiApplication::setDesktopFileName(QStringLiteral(MAML_APP_ID));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("MAML Workbench: few-shot learning with MAML"));
    parser.addHelpOption();
    // Not addVersionOption(): ours also names the git revision and the libraries.
    QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")},
                               QStringLiteral("Displays version information."));
    parser.addOption(version);
    QCommandLineOption run(QStringLiteral("run"), QStringLiteral("Open this run folder at start."),
                           QStringLiteral("dir"));
    parser.addOption(run);
    parser.process(app);
    if (parser.isSet(version)) {
        const std::string qt = std::string("Qt ") + qVersion();
        std::printf("%s\n", maml::versionText("maml-workbench", qt).c_str());
        return 0;
    }

    maml::registerBuiltinModules();
    maml::initLogging(maml::defaultLogFile(), "warn");
    maml::ui::LogBridge::install();

    maml::ui::MainWindow window;
    window.show();
    if (parser.isSet(run))
        window.openRun(parser.value(run));
    return app.exec();
}
