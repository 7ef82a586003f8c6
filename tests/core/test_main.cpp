// The core tests' main: the engine's modules are registered once at start-up, as in every
// program of the project (core/modules.h).
#include "core/modules.h"

#include <gtest/gtest.h>

int main(int argc, char** argv)
{
    ::testing::InitGoogleTest(&argc, argv);
    maml::registerBuiltinModules();
    return RUN_ALL_TESTS();
}
