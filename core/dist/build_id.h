#pragma once
/// \file
/// Which program this is: the project version and the git commit it was built from (generated
/// at build time by cmake/BuildId.cmake).

namespace maml {

/// e.g. "0.1.0 7a67072e1f3b" ("-dirty" appended for uncommitted changes, "unknown" outside git).
const char* buildId();

} // namespace maml
