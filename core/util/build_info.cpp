#include "core/util/build_info.h"

#include <opencv2/core/utility.hpp>
#include <torch/version.h>

namespace maml {

// projectVersion() and gitRevision() are defined in the file cmake/BuildInfo.cmake writes at
// build time (the revision changes without CMake being run again).

std::string libraryVersions()
{
    return std::string("LibTorch ") + TORCH_VERSION + ", OpenCV " + cv::getVersionString();
}

std::string versionText(const std::string& program, const std::string& moreLibraries)
{
    std::string text = program + " " + projectVersion() + "\n";
    text += std::string("git revision: ") + gitRevision() + "\n";
    text += (moreLibraries.empty() ? "" : moreLibraries + ", ") + libraryVersions();
    return text;
}

} // namespace maml
