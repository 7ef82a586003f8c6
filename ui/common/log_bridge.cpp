#include "ui/common/log_bridge.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <QMetaObject>

#include <mutex>

namespace maml::ui {
namespace {

class QtSink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override
    {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        auto text = QString::fromUtf8(formatted.data(), static_cast<int>(formatted.size())).trimmed();
        const int level = static_cast<int>(msg.level);
        // Queued: the slot runs on the GUI thread whichever thread logged.
        QMetaObject::invokeMethod(
            LogBridge::instance(), [level, text] { Q_EMIT LogBridge::instance()->message(level, text); },
            Qt::QueuedConnection);
    }
    void flush_() override {}
};

} // namespace

LogBridge* LogBridge::instance()
{
    static auto* bridge = new LogBridge;
    return bridge;
}

void LogBridge::install()
{
    static bool installed = false;
    if (installed)
        return;
    installed = true;
    instance();
    auto sink = std::make_shared<QtSink>();
    sink->set_pattern("%H:%M:%S %l %v");
    sink->set_level(spdlog::level::info);
    spdlog::default_logger()->sinks().push_back(sink);
}

} // namespace maml::ui
