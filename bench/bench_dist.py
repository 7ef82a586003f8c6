#!/usr/bin/python3
"""Measured scaling of distributed meta-training on this machine (docs/distributed.md).

For the study shape and the Omniglot shape: meta-iterations per second of 1 process x 2 threads
and of 2 processes x 1 thread (maml-cli train --nproc 2), and the share of an iteration that rank 0
spends inside the all-reduce (metrics.jsonl's allreduce_seconds); then the all-reduce alone
(bench_allreduce) at each model's size over loopback, for the latency of the on-paper model.

    /usr/bin/python3 bench/bench_dist.py                  # both shapes, 2 repetitions
    /usr/bin/python3 bench/bench_dist.py --iters 4 --warmup 1 --reps 1 --shapes omniglot   # a quick check
    /usr/bin/python3 bench/bench_dist.py --model-only results.json   # the on-paper table again

Then, on paper from those measurements, the expected speed-up on 8, 32 and 128 machines (each like
this one: one process x 2 threads), over a ring all-reduce at 1 and 10 Gbit/s (model()).

Timings mean something only on an otherwise idle machine: the load average (1 minute) and the other
processes using CPU are printed before and after, and the JSON output records them.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CIFAR = os.path.normpath(os.path.join(ROOT, "..", "shared", "datasets", "cifar100-dev"))

BASE = {"model": "conv4", "batch_norm": "batch", "first_order": False, "grad_clip": 10.0, "seed": 1,
        "meta_lr": 0.001, "inner_steps_eval": 0, "val_episodes": 1, "eval_episodes": 1, "log_every": 1}
SHAPES = {
    # The study: CIFAR 5-way 10-shot, 20 tasks, Conv-4 32 filters, 5 second-order inner steps.
    # (The development copy's CIFAR-FS test classes hold no images: the val classes stand in.)
    "study": dict(BASE, dataset="cifar100:" + CIFAR, test_split="val", image_size=32, channels=3,
                  ways=5, shots=10, queries=15, filters=32, inner_steps_train=5, inner_lr=0.01, meta_batch=20),
    # Finn et al.'s Omniglot 5-way 1-shot: meta-batch 32, 64 filters, 1 inner step (the Glyphs data has
    # Omniglot's shape, 28x28x1, and is built in).
    "omniglot": dict(BASE, dataset="glyphs", image_size=28, channels=1, ways=5, shots=1, queries=15,
                     filters=64, inner_steps_train=1, inner_lr=0.4, meta_batch=32),
}


def conv4_parameters(c):
    side = c["image_size"]
    for _ in range(4):
        side //= 2
    f, params, cin = c["filters"], 0, c["channels"]
    for _ in range(4):
        params += cin * f * 9 + f + 2 * f
        cin = f
    return params + f * side * side * c["ways"] + c["ways"]


def load():
    with open("/proc/loadavg") as f:
        avg = float(f.read().split()[0])
    # Stopped processes (state T, e.g. a training run paused with SIGSTOP for the benchmark) take
    # no CPU, whatever their lifetime average says.
    ps = subprocess.run(["ps", "-eo", "pcpu,stat,args", "--sort=-pcpu"], capture_output=True, text=True).stdout
    busy = [line.strip() for line in ps.splitlines()[1:]
            if line.strip() and float(line.split()[0]) > 20 and not line.split()[1].startswith("T")
            and "bench_dist.py" not in line]
    return avg, busy[:5]


def train(cli, shape, procs, threads, iters, warmup, workdir, tag):
    cfg = dict(SHAPES[shape], iterations=warmup + iters + 1, val_every=10 ** 6, threads=threads)
    cfg_path = os.path.join(workdir, "%s.json" % tag)
    with open(cfg_path, "w") as f:
        json.dump(cfg, f)
    run = os.path.join(workdir, tag)
    cmd = [cli, "train", "--config", cfg_path, "--run-dir", run, "--threads", str(threads)]
    if procs > 1:
        cmd += ["--nproc", str(procs)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    with open(os.path.join(run, "metrics.jsonl")) as f:
        lines = {r["iteration"]: r for r in map(json.loads, f)}
    a, b = lines[warmup], lines[warmup + iters]
    seconds = b["seconds"] - a["seconds"]
    ar = b.get("allreduce_seconds", 0.0) - a.get("allreduce_seconds", 0.0)
    shutil.rmtree(run)
    return {"iters_per_s": iters / seconds, "s_per_iter": seconds / iters, "allreduce_share": ar / seconds,
            "allreduce_s_per_iter": ar / iters}


def allreduce(bench, elements, world, reps):
    port = 29600 + os.getpid() % 300
    procs = [subprocess.Popen([bench, "--rank", str(r), "--world-size", str(world), "--master",
                               "127.0.0.1:%d" % port, "--reps", str(reps), "--elements"] +
                              [str(e) for e in elements], stdout=subprocess.PIPE, text=True)
             for r in range(world)]
    out = procs[0].communicate()[0]
    for p in procs[1:]:
        p.wait()
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


# The on-paper model (docs/distributed.md). Per meta-iteration on M machines, each like this one
# (one process x 2 threads):
#   T(M) = ceil(B / M) * t_task + ring(M)
#   ring(M) = 2 (M - 1) / M * bytes / bandwidth + 2 (M - 1) * latency
# t_task = (seconds per iteration of the 1-process run) / B: one task's sampling, forward, inner
# loop and meta-backward with everything else of an iteration spread over the tasks. What does not
# shrink with more machines (one Adam step and the gradient norm over ~0.1 M parameters) is
# well under a millisecond, so the model leaves it out. Latency per ring step: 50 us at 10 Gbit/s
# and 100 us at 1 Gbit/s (typical TCP over Ethernet; assumed, not measured: loopback has no wire).
LINKS = {"1 Gbit/s": (1e9 / 8, 100e-6), "10 Gbit/s": (10e9 / 8, 50e-6)}
MACHINES = [1, 2, 8, 32, 128]


def ring_seconds(nbytes, machines, bandwidth, latency):
    if machines == 1:
        return 0.0
    return 2.0 * (machines - 1) / machines * nbytes / bandwidth + 2 * (machines - 1) * latency


def model(rows, sizes, meta_batches):
    """Prints, per shape and link, the expected seconds per meta-iteration and speed-up."""
    by = {(r["shape"], r["variant"]): r for r in rows}
    out = []
    for shape, params in sizes.items():
        one = by.get((shape, "1 process x 2 threads"))
        if not one:
            continue
        B = meta_batches[shape]
        t_iter = 1.0 / one["iters_per_s"]
        t_task = t_iter / B
        nbytes = 4 * (params + 21)  # the gradient, the 'used' counts, loss, accuracy, stop
        print("\n%s shape: %d parameters (%.0f KB all-reduced), meta-batch %d, one task %.0f ms on one "
              "machine (2 threads)" % (shape, params, nbytes / 1024, B, 1000 * t_task))
        print("| machines | tasks per machine | %s |" % " | ".join(
            "%s: s/iteration, speed-up, all-reduce share" % k for k in LINKS))
        print("|---|---|" + "---|" * len(LINKS))
        for m in MACHINES:
            cells = []
            for link, (bw, lat) in LINKS.items():
                ring = ring_seconds(nbytes, m, bw, lat)
                t = -(-B // m) * t_task + ring
                cells.append("%.3f s, %.1fx, %.1f%%" % (t, t_iter / t, 100 * ring / t))
                out.append({"shape": shape, "machines": m, "link": link, "s_per_iter": t,
                            "speedup": t_iter / t, "ring_s": ring})
            print("| %d | %d | %s |" % (m, -(-B // m), " | ".join(cells)))
        # Below which meta-batch do M machines stop paying? Each machine needs at least one task,
        # and its share must cost more than the ring: B >= M * max(1, ring / t_task).
        for link, (bw, lat) in LINKS.items():
            need = ["%d machines: B >= %d" % (m, m * max(1, -(-ring_seconds(nbytes, m, bw, lat) // t_task)))
                    for m in MACHINES[2:]]
            print("  %s: more machines pay only while %s" % (link, "; ".join(need)))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--shapes", default="study,omniglot")
    ap.add_argument("--iters", type=int, default=10, help="timed meta-iterations per run")
    ap.add_argument("--warmup", type=int, default=2, help="untimed meta-iterations first")
    ap.add_argument("--reps", type=int, default=2, help="repetitions, the order flipping each time")
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--model-only", default=None, metavar="JSON",
                    help="print the on-paper table from an earlier --json-out file, running nothing")
    args = ap.parse_args(argv)
    meta_batches = {shape: SHAPES[shape]["meta_batch"] for shape in SHAPES}
    if args.model_only:
        with open(args.model_only) as f:
            saved = json.load(f)
        model(saved["rows"], saved["parameters"], meta_batches)
        return
    cli = os.path.join(args.build_dir, "app", "maml-cli")
    bench = os.path.join(args.build_dir, "bench", "bench_allreduce")
    workdir = tempfile.mkdtemp(prefix="bench-dist-")
    before = load()
    print("load average before: %.2f; busy processes: %s" % (before[0], before[1] or "none"), flush=True)
    variants = [("1 process x 2 threads", 1, 2), ("2 processes x 1 thread", 2, 1)]
    results = {}
    for shape in args.shapes.split(","):
        for rep in range(args.reps):
            for label, procs, threads in (variants if rep % 2 == 0 else list(reversed(variants))):
                r = train(cli, shape, procs, threads, args.iters, args.warmup, workdir,
                          "%s-%d-%d" % (shape, procs, rep))
                results.setdefault((shape, label), []).append(r)
                print("  %-9s %-24s %.3f it/s  all-reduce %.1f%% of an iteration" % (
                    shape, label, r["iters_per_s"], 100 * r["allreduce_share"]), flush=True)
    sizes = {shape: conv4_parameters(SHAPES[shape]) for shape in args.shapes.split(",")}
    ar = allreduce(bench, [n + 18 + 3 for n in sizes.values()], 2, 50)
    after = load()
    print("load average after: %.2f; busy processes: %s" % (after[0], after[1] or "none"))
    print("\n| shape | parameters | processes x threads | meta-iterations / s | all-reduce share |")
    print("|---|---|---|---|---|")
    rows = []
    for (shape, label), rs in results.items():
        its = statistics.median(r["iters_per_s"] for r in rs)
        share = statistics.median(r["allreduce_share"] for r in rs)
        rows.append({"shape": shape, "variant": label, "iters_per_s": its, "allreduce_share": share, "runs": rs})
        print("| %s | %d | %s | %.3f | %s |" % (shape, sizes[shape], label, its,
                                               "%.2f%%" % (100 * share) if "2 processes" in label else "-"))
    print("\nAll-reduce alone, 2 processes over loopback (median of 50):")
    for r in ar:
        print("  %d float32 (%d KB): %.3f ms (min %.3f ms)" % (r["elements"], r["bytes"] // 1024,
                                                               1000 * r["median_s"], 1000 * r["min_s"]))
    projected = model(rows, sizes, meta_batches)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"load_before": before, "load_after": after, "rows": rows, "allreduce": ar,
                       "parameters": sizes, "iters": args.iters, "warmup": args.warmup,
                       "model": projected}, f, indent=2)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
