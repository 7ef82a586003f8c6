#include "app/cli/cli.h"
#include "core/modules.h"

int main(int argc, char** argv)
{
    maml::registerBuiltinModules();
    return maml::cli::runCli(argc, argv);
}
