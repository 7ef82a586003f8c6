// --version: the version, the git revision captured at build time, and the libraries linked.
#include "core/util/build_info.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

using namespace maml;
namespace fs = std::filesystem;

TEST(BuildInfo, VersionTextHasVersionRevisionAndLibraries)
{
    EXPECT_TRUE(std::regex_match(std::string(projectVersion()), std::regex(R"(\d+\.\d+\.\d+)")))
        << projectVersion();
    const std::string text = versionText("maml-cli", "Qt 6.4.2");
    EXPECT_EQ(text.substr(0, text.find('\n')), std::string("maml-cli ") + projectVersion());
    EXPECT_NE(text.find(std::string("\ngit revision: ") + gitRevision() + "\n"), std::string::npos) << text;
    EXPECT_TRUE(
        std::regex_search(text, std::regex(R"(\nQt 6\.4\.2, LibTorch \d+\.\d+\.\d+, OpenCV \d+\.\d+)")))
        << text;
    EXPECT_NE(text.back(), '\n');
}

TEST(BuildInfo, GitRevisionIsTheSourceTreesHead)
{
    const std::string revision = gitRevision();
    if (!fs::exists(fs::path(MAML_SOURCE_DIR) / ".git")) {
        EXPECT_EQ(revision, "unknown (not built from a git checkout)");
        return;
    }
    std::string head;
    if (test::runCommand(std::string("git --no-optional-locks -C '") + MAML_SOURCE_DIR + "' rev-parse HEAD",
                         &head) != 0) {
        // git cannot read the checkout (e.g. another owner): the build could not either.
        EXPECT_EQ(revision.rfind("unknown (git could not describe", 0), 0u) << revision << "; git: " << head;
        return;
    }
    head = head.substr(0, 12);
    EXPECT_NE(revision.find(head), std::string::npos)
        << "the build recorded " << revision << " but the source tree is at " << head << ": rebuild";
}

TEST(BuildInfo, CliVersionPrintsTheVersionText)
{
    std::string out;
    ASSERT_EQ(test::runCommand(std::string(MAML_TEST_CLI) + " --version", &out), 0) << out;
    EXPECT_EQ(out, versionText("maml-cli") + "\n");
}
