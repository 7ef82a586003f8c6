#pragma once
// Error messages in the pages' rich-text labels: one colour and one escaping rule for all.

#include <QString>

namespace maml::ui {

/// The colour of error text (a dark red that reads on light and dark backgrounds).
inline constexpr const char* kErrorColor = "#b00020";

/// `html` (already formatted or escaped) shown in the error colour.
inline QString errorSpan(const QString& html)
{
    return QStringLiteral("<span style='color:%1'>%2</span>").arg(QLatin1String(kErrorColor), html);
}

/// A plain-text message (e.g. an exception's what()) escaped and shown in the error colour.
inline QString errorHtml(const QString& message)
{
    return errorSpan(message.toHtmlEscaped());
}

} // namespace maml::ui
