#pragma once
/// \file
/// What this build is: the version, the git revision it was built from, and the libraries it
/// links. Both binaries print versionText() for `--version`; the GUI's About box shows it too.

#include <string>

namespace maml {

/// The project version (CMake's `project(VERSION)`), e.g. "0.1.0".
const char* projectVersion();

/// The git revision captured at build time (`git describe --always --dirty`), e.g.
/// "b8fe776a1c2d" or "b8fe776a1c2d-dirty"; "unknown (not built from a git checkout)" for a
/// source tree without .git, "unknown (git could not describe the source tree)" when git fails.
const char* gitRevision();

/// "LibTorch 1.13.0, OpenCV 4.6.0": the LibTorch headers built against and the OpenCV library
/// loaded at run time.
std::string libraryVersions();

/// The `--version` text, three lines without a final newline: "<program> <version>",
/// "git revision: ...", and the library versions, `moreLibraries` (e.g. "Qt 6.4.2") first.
std::string versionText(const std::string& program, const std::string& moreLibraries = {});

} // namespace maml
