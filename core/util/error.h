#pragma once
/// \file
/// The one error type of core: every message says what is wrong, where, and what to do.

#include <stdexcept>
#include <string>

namespace maml {

/// An error a user can act on. `what()` reads "<problem> (<where>). <hint>".
/// Throw it for bad input (missing files, corrupt records, impossible requests);
/// callers (CLI, GUI) show `what()` and carry on or exit non-zero.
class Error : public std::runtime_error {
public:
    /// \param problem what is wrong, e.g. "wrong magic number 0x00000801, expected 0x00000803"
    /// \param where   the file, line, class or setting concerned (may be empty)
    /// \param hint    what the user can do about it (may be empty)
    Error(std::string problem, std::string where = {}, std::string hint = {});

    const std::string& problem() const { return m_problem; }
    const std::string& where() const { return m_where; }
    const std::string& hint() const { return m_hint; }

private:
    std::string m_problem;
    std::string m_where;
    std::string m_hint;
};

/// Thrown when the user cancelled a long operation (training, evaluation, download).
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

} // namespace maml
