// Where the product keeps its files: the XDG base directories with one maml-workbench folder each
// (the GUI once put runs under ~/.local/share/maml-workbench/maml-workbench/runs).
#include "core/data/dataset_registry.h"
#include "core/util/log.h"
#include "core/util/xdg_paths.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

using namespace maml;
namespace fs = std::filesystem;

namespace {
/// Sets (or, with nullopt, unsets) an environment variable for the lifetime of the object.
class ScopedEnv {
public:
    ScopedEnv(const char* name, std::optional<std::string> value) : m_name(name)
    {
        if (const char* old = std::getenv(name))
            m_old = old;
        if (value)
            setenv(name, value->c_str(), 1);
        else
            unsetenv(name);
    }
    ~ScopedEnv()
    {
        if (m_old)
            setenv(m_name, m_old->c_str(), 1);
        else
            unsetenv(m_name);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* m_name;
    std::optional<std::string> m_old;
};
} // namespace

TEST(XdgPaths, RunsGoUnderXdgDataHomeWithTheNameOnce)
{
    ScopedEnv data("XDG_DATA_HOME", "/tmp/xdg-data");
    EXPECT_EQ(defaultRunsDir(), fs::path("/tmp/xdg-data/maml-workbench/runs"));
}

TEST(XdgPaths, WithoutXdgVariablesTheHomeDefaultsApply)
{
    ScopedEnv home("HOME", "/tmp/some-home");
    ScopedEnv data("XDG_DATA_HOME", std::nullopt);
    ScopedEnv cache("XDG_CACHE_HOME", std::nullopt);
    ScopedEnv state("XDG_STATE_HOME", std::nullopt);
    EXPECT_EQ(defaultRunsDir(), fs::path("/tmp/some-home/.local/share/maml-workbench/runs"));
    EXPECT_EQ(defaultCacheDir(), fs::path("/tmp/some-home/.cache/maml-workbench"));
    EXPECT_EQ(defaultLogFile(), fs::path("/tmp/some-home/.local/state/maml-workbench/maml.log"));
}

TEST(XdgPaths, StateAndCacheFollowTheirVariables)
{
    ScopedEnv cache("XDG_CACHE_HOME", "/tmp/xdg-cache");
    ScopedEnv state("XDG_STATE_HOME", "/tmp/xdg-state");
    EXPECT_EQ(defaultCacheDir(), fs::path("/tmp/xdg-cache/maml-workbench"));
    EXPECT_EQ(defaultLogFile(), fs::path("/tmp/xdg-state/maml-workbench/maml.log"));
}

TEST(XdgPaths, RelativeValuesAreIgnoredAsTheSpecificationAsks)
{
    ScopedEnv home("HOME", "/tmp/some-home");
    ScopedEnv data("XDG_DATA_HOME", "relative/data");
    EXPECT_EQ(defaultRunsDir(), fs::path("/tmp/some-home/.local/share/maml-workbench/runs"));
}
