#include "core/util/error.h"

namespace maml {
namespace {
std::string compose(const std::string& problem, const std::string& where, const std::string& hint)
{
    std::string s = problem;
    if (!where.empty())
        s += " (" + where + ")";
    if (!hint.empty())
        s += ". " + hint;
    return s;
}
} // namespace

Error::Error(std::string problem, std::string where, std::string hint)
    : std::runtime_error(compose(problem, where, hint)), m_problem(std::move(problem)),
      m_where(std::move(where)), m_hint(std::move(hint))
{
}

} // namespace maml
