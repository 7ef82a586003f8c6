// maml-screenshot-tour DIR: renders every page of the workbench with a real state to PNG files
// in DIR (the README's and docs/gui.md's pictures), then exits: 0 when every picture was written.
#include "core/modules.h"
#include "core/util/build_info.h"
#include "core/util/log.h"
#include "tools/screenshot_tour/screenshot_tour.h"
#include "ui/common/log_bridge.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>
#include <cstdlib>

namespace {

bool haveDisplay()
{
    for (const char* name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
        if (const char* value = std::getenv(name); value && *value)
            return true;
    return false;
}

} // namespace

int main(int argc, char** argv)
{
    if (!haveDisplay()) {
        std::fprintf(stderr, "maml-screenshot-tour needs a display; run it under a virtual one:\n"
                             "  xvfb-run -a maml-screenshot-tour docs/screenshots\n");
        return 2;
    }
    QApplication app(argc, argv);
    // The workbench's names: the pages read the same settings as in the product.
    QApplication::setApplicationName(QStringLiteral("maml-workbench"));
    QApplication::setOrganizationName(QStringLiteral("maml-workbench"));
    QApplication::setApplicationVersion(QString::fromLatin1(maml::projectVersion()));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Trains a tiny Glyphs model (and, when sentiment-uci is fetched, a text model), "
                       "renders every page of the workbench to PNG files in <dir>, exits."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("dir"), QStringLiteral("Folder for the PNG files"));
    parser.process(app);
    if (parser.positionalArguments().size() != 1)
        parser.showHelp(2);

    maml::registerBuiltinModules();
    maml::initLogging(maml::defaultLogFile(), "warn");
    maml::ui::LogBridge::install();

    // On the stack: its window must be gone before QApplication is destroyed.
    maml::ui::ScreenshotTour tour(parser.positionalArguments().first());
    QObject::connect(&tour, &maml::ui::ScreenshotTour::done, &app,
                     [](bool ok) { QCoreApplication::exit(ok ? 0 : 1); });
    QTimer::singleShot(0, &tour, &maml::ui::ScreenshotTour::start);
    return app.exec();
}
