#pragma once
/// \file
/// How one process joins a distributed run: its rank, the number of ranks, where rank 0's
/// rendezvous store listens, and how long ranks wait for each other.

#include <string>

namespace maml {

struct DistOptions {
    int rank = 0;                ///< 0 .. worldSize-1; rank 0 hosts the store and writes the run folder
    int worldSize = 1;           ///< processes in the run, on all machines
    int localWorldSize = 1;      ///< processes of the run on this machine (for the default threads)
    std::string masterAddr;      ///< host name or address of rank 0's machine
    int masterPort = 0;          ///< TCP port of rank 0's rendezvous store
    double timeoutSeconds = 120; ///< a collective operation waits this long for the others
    /// Start-up waits (connecting, opening the data on every rank) last at least this long.
    double startupTimeoutSeconds = 600;

    bool distributed() const { return worldSize > 1; }
    /// "HOST:PORT".
    std::string master() const { return masterAddr + ":" + std::to_string(masterPort); }
};

/// Splits "HOST:PORT" (or "[IPV6]:PORT"); throws maml::Error saying what is wrong.
void parseMaster(const std::string& text, std::string& host, int& port);

/// Throws maml::Error when the options cannot describe a run (rank out of range, no master).
void validateDistOptions(const DistOptions& options);

} // namespace maml
