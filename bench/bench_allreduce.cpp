// The all-reduce of distributed meta-training alone: one rank of a run of --world-size
// processes sums a float32 buffer of each --elements size --reps times over c10d/Gloo, as the
// meta-gradient is summed (core/dist). Rank 0 prints one JSON line per size: the median and
// minimum seconds per all-reduce. bench/bench_dist.py starts the ranks.
#include "core/dist/collective.h"
#include "core/dist/gloo_collective.h"

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <iostream>

int main(int argc, char** argv)
{
    CLI::App app{"bench_allreduce: time c10d/Gloo all-reduces of meta-gradient sized buffers"};
    maml::DistOptions o;
    std::string master = "127.0.0.1:29500";
    std::vector<int64_t> sizes{30000, 112000};
    int reps = 50;
    app.add_option("--rank", o.rank)->required();
    app.add_option("--world-size", o.worldSize)->required();
    app.add_option("--master", master, "HOST:PORT of rank 0");
    app.add_option("--elements", sizes, "float32 elements per all-reduce");
    app.add_option("--reps", reps);
    CLI11_PARSE(app, argc, argv);
    try {
        maml::parseMaster(master, o.masterAddr, o.masterPort);
        auto collective = maml::connectGloo(o);
        for (const int64_t n : sizes) {
            auto buffer = torch::ones({n}, torch::kFloat32);
            std::vector<double> seconds;
            for (int r = 0; r < reps + 3; ++r) {
                const auto t0 = std::chrono::steady_clock::now();
                collective->allReduceSum(buffer);
                const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                if (r >= 3) // the first ones warm the connections up
                    seconds.push_back(s);
            }
            std::sort(seconds.begin(), seconds.end());
            if (o.rank == 0)
                std::cout << "{\"elements\": " << n << ", \"bytes\": " << 4 * n
                          << ", \"world\": " << o.worldSize
                          << ", \"median_s\": " << seconds[seconds.size() / 2]
                          << ", \"min_s\": " << seconds.front() << "}" << std::endl;
        }
        collective->finish(30);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
