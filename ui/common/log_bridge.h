#pragma once
// Forwards spdlog messages (from any thread) to the GUI thread as a queued Qt signal.

#include <QObject>
#include <QString>

namespace maml::ui {

/// One process-wide bridge. install() adds a spdlog sink to the default logger that emits
/// message() through a queued connection, so the log panel is only touched on the GUI thread.
class LogBridge final : public QObject {
    Q_OBJECT
public:
    static LogBridge* instance();
    /// Adds the sink to spdlog's default logger (call after maml::initLogging, once).
    static void install();

Q_SIGNALS:
    /// level: spdlog level number (0 trace .. 6 off); text: the formatted line without newline.
    void message(int level, const QString& text);

private:
    LogBridge() = default;
};

} // namespace maml::ui
