#include "core/dist/dist_options.h"

#include "core/util/error.h"

#include <cstdlib>

namespace maml {

void parseMaster(const std::string& text, std::string& host, int& port)
{
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw Error("the master address '" + text + "' is not HOST:PORT", "--master",
                    "Give rank 0's machine and a free port, e.g. --master 10.0.0.1:29500");
    host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    char* end = nullptr;
    const long p = std::strtol(text.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || p < 1 || p > 65535)
        throw Error("the port in '" + text + "' is not a number in 1..65535", "--master",
                    "e.g. --master 10.0.0.1:29500");
    port = static_cast<int>(p);
}

void validateDistOptions(const DistOptions& o)
{
    if (o.worldSize < 1)
        throw Error("the world size must be at least 1, got " + std::to_string(o.worldSize),
                    "--world-size / WORLD_SIZE", "Give the number of processes of the run on all machines");
    if (o.rank < 0 || o.rank >= o.worldSize)
        throw Error("rank " + std::to_string(o.rank) + " is outside 0.." + std::to_string(o.worldSize - 1),
                    "--rank / RANK", "Give each process of the run a different rank below the world size");
    if (o.distributed() && (o.masterAddr.empty() || o.masterPort <= 0))
        throw Error("a run of " + std::to_string(o.worldSize) + " processes needs rank 0's address",
                    "--master / MASTER_ADDR and MASTER_PORT",
                    "Give --master HOST:PORT (the machine of rank 0 and a free port) on every machine");
    if (!(o.timeoutSeconds > 0))
        throw Error("the timeout must be a positive number of seconds", "--timeout");
}

} // namespace maml
