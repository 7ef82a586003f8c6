#pragma once
// Progress on stderr for maml-cli: on a terminal one line redrawn in place ("\r"), a few times a
// second; into a log file or pipe a plain line each time another 5% is done (as pip and cargo
// print), so logs hold no carriage returns and stay short.

#include <string>

namespace maml::cli {

class ProgressPrinter {
public:
    /// `interactive` < 0: ask isatty(stderr); 0 or 1 forces it (tests).
    explicit ProgressPrinter(int interactive = -1);

    /// Shows `text` for a task that is `fraction` (0..1) done. `force` draws even if little
    /// changed (e.g. before a message that starts a new line).
    void update(double fraction, const std::string& text, bool force = false);
    /// Ends the redrawn line (a newline on a terminal, nothing otherwise) before other output.
    void breakLine();
    bool interactive() const { return m_interactive; }

private:
    bool m_interactive;
    double m_lastDraw = -1; ///< seconds, terminals
    int m_lastStep = -1;    ///< 5% steps printed, logs
    bool m_lineOpen = false;
};

/// Seconds since the first call (a monotonic clock).
double secondsNow();

} // namespace maml::cli
