#include "app/cli/progress_printer.h"

#include <chrono>
#include <iostream>
#include <unistd.h>

namespace maml::cli {

double secondsNow()
{
    static const auto start = std::chrono::steady_clock::now();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

ProgressPrinter::ProgressPrinter(int interactive)
    : m_interactive(interactive < 0 ? ::isatty(STDERR_FILENO) == 1 : interactive == 1)
{
}

void ProgressPrinter::update(double fraction, const std::string& text, bool force)
{
    if (m_interactive) {
        const double now = secondsNow();
        if (!force && fraction < 1.0 && now - m_lastDraw < 0.2)
            return;
        m_lastDraw = now;
        std::cerr << "\r" << text << "   " << std::flush;
        m_lineOpen = true;
        return;
    }
    const int step = static_cast<int>(fraction * 20.0 + 1e-9); // 5% steps
    if (step <= m_lastStep && !(force && fraction >= 1.0 && m_lastStep < 20))
        return;
    m_lastStep = step;
    std::cerr << text << "\n" << std::flush;
}

void ProgressPrinter::breakLine()
{
    if (m_lineOpen)
        std::cerr << "\n";
    m_lineOpen = false;
}

} // namespace maml::cli
