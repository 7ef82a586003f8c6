#include "core/util/xdg_paths.h"

#include <cstdlib>

namespace maml {
namespace fs = std::filesystem;

namespace {
constexpr const char* kAppFolder = "maml-workbench";
}

fs::path xdgAppDir(const char* var, const char* homeFallback, const char* tempSuffix)
{
    if (const char* value = std::getenv(var); value && *value && fs::path(value).is_absolute())
        return fs::path(value) / kAppFolder;
    if (const char* home = std::getenv("HOME"); home && *home)
        return fs::path(home) / homeFallback / kAppFolder;
    return fs::temp_directory_path() / (std::string(kAppFolder) + "-" + tempSuffix);
}

fs::path defaultRunsDir()
{
    return xdgAppDir("XDG_DATA_HOME", ".local/share", "data") / "runs";
}

} // namespace maml
