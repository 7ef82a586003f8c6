#include "core/data/dataset_locations.h"

#include "core/util/atomic_file.h"
#include "core/util/json_limits.h"
#include "core/util/xdg_paths.h"

#include <nlohmann/json.hpp>

namespace maml {
namespace fs = std::filesystem;

namespace {
nlohmann::json readLocations()
{
    const fs::path file = datasetLocationsFile();
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        return nlohmann::json::object();
    try {
        auto j = readJsonFile(file);
        return j.is_object() ? j : nlohmann::json::object();
    } catch (const std::exception&) {
        return nlohmann::json::object();
    }
}
} // namespace

fs::path datasetLocationsFile()
{
    return xdgAppDir("XDG_CONFIG_HOME", ".config", "config") / "datasets.json";
}

std::optional<fs::path> rememberedLocation(const std::string& name)
{
    const auto j = readLocations();
    const auto it = j.find(name);
    if (it == j.end() || !it->is_string())
        return std::nullopt;
    const fs::path dir = it->get<std::string>();
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec))
        return std::nullopt;
    return dir;
}

void rememberLocation(const std::string& name, const fs::path& dir)
{
    auto j = readLocations();
    j[name] = fs::absolute(dir).lexically_normal().string();
    const fs::path file = datasetLocationsFile();
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    writeFileAtomic(file, j.dump(2) + "\n");
}

} // namespace maml
