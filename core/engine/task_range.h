#pragma once
/// \file
/// A contiguous range of task (or episode) indices: one process's share of a meta-batch or of
/// an evaluation when the work is split over several processes (core/dist).

namespace maml {

/// Tasks [begin, end) of a meta-batch or episodes [begin, end) of an evaluation.
struct TaskRange {
    int begin = 0;
    int end = 0;
    int size() const { return end - begin; }
    bool operator==(const TaskRange& o) const { return begin == o.begin && end == o.end; }
};

/// The share of `rank` (0-based) when `count` items are split over `world` processes in
/// contiguous ranges that differ in size by at most one, the larger ones first: rank 0 holds
/// items 0.., rank 1 the next ones, and so on (e.g. 8 over 3: [0,3) [3,6) [6,8)).
inline TaskRange shareOf(int count, int rank, int world)
{
    if (world <= 1)
        return {0, count};
    const int base = count / world, extra = count % world;
    const int begin = rank * base + (rank < extra ? rank : extra);
    return {begin, begin + base + (rank < extra ? 1 : 0)};
}

} // namespace maml
