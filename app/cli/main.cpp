#include "core/cli/cli.h"

int main(int argc, char** argv)
{
    return maml::cli::runCli(argc, argv);
}
