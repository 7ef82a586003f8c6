#!/usr/bin/python3
"""One command: build the benchmark, check that the workbench and the PyTorch reference compute
the same meta-gradient, then time both, alternating, several repetitions, and print the table.

    /usr/bin/python3 bench/run.py                 # the README table (all settings, 1 and 2 threads)
    /usr/bin/python3 bench/run.py --quick         # fewer repetitions, canonical settings only
    /usr/bin/python3 bench/run.py --ablation      # also: our plain path, torch's operators (each), glibc malloc untuned,
                                                  # and the reference with the same malloc tuning

Each measurement is a fresh process (warm-up iterations, then timed ones; its median). For each
setting and thread count the implementations run one after the other, the order flipping every
repetition, so that a busy spell of the machine hits both; the table shows the median over
repetitions. Ratio = reference seconds per meta-iteration / ours = our meta-iterations/s over
the reference's. Memory = peak resident set size of the process (getrusage), median.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"  # Debian's interpreter, which has python3-torch

SETTINGS = {
    "canonical 2nd-order": ["--ways", "5", "--shots", "5", "--queries", "15", "--meta-batch", "4",
                            "--steps", "5"],
    "canonical 1st-order": ["--ways", "5", "--shots", "5", "--queries", "15", "--meta-batch", "4",
                            "--steps", "5", "--first-order"],
    "study 5w10s 20 tasks": ["--ways", "5", "--shots", "10", "--queries", "15", "--meta-batch", "20",
                              "--steps", "5"],
}
COMMON = ["--filters", "32", "--channels", "3", "--size", "32"]
# Reference with glibc kept from returning freed blocks to the kernel (what our binary does
# itself with mallopt), for the ablation only: plain PyTorch does not do this.
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "1073741824",
              "MALLOC_TOP_PAD_": "16777216"}


def build(build_dir):
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        subprocess.run(["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja",
                        "-DCMAKE_BUILD_TYPE=Release"], check=True)
    subprocess.run(["cmake", "--build", build_dir, "--target", "bench_maml"], check=True)
    return os.path.join(build_dir, "bench", "bench_maml")


def run_json(cmd, env=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=full_env).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def check(binary, workdir, settings):
    """Checks the canonical settings among `settings` (the study's is the same code, bigger)."""
    print("Meta-gradient check (same weights and episodes; relative L2 error vs the reference):")
    ok = True
    for name in [s for s in settings if s.startswith("canonical")]:
        prefix = os.path.join(workdir, name.split()[1])
        run_json([PYTHON, os.path.join(HERE, "reference_maml.py"), "export", "--out", prefix,
                  "--threads", "2"] + SETTINGS[name] + COMMON)
        proc = subprocess.run([binary, "check", "--case", prefix, "--threads", "2"],
                              capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            r = json.loads(line)
            print("  %-20s %-8s rel.err %.2e  max|diff| %.2e  loss %.6f vs %.6f  %s" % (
                name, r["path"], r["relative_error"], r["max_abs_diff"], r["loss"],
                r["reference_loss"], "agrees" if r["agrees"] else "DISAGREES"))
        ok = ok and proc.returncode == 0
    return ok


def variants(binary, ablation):
    ref = [PYTHON, os.path.join(HERE, "reference_maml.py"), "time"]
    ours = [binary, "time"]
    v = [("reference", ref, {}), ("ours", ours + ["--path", "parallel"], {})]
    if ablation:
        v += [("ours plain path", ours + ["--path", "plain"], {}),
              ("ours parallel, malloc untuned", ours + ["--path", "parallel", "--plain-malloc"], {}),
              ("ours parallel, torch max_pool2d", ours + ["--path", "parallel", "--torch-ops", "pool"], {}),
              ("ours parallel, torch batch_norm", ours + ["--path", "parallel", "--torch-ops", "bn"], {}),
              ("ours parallel, torch conv2d", ours + ["--path", "parallel", "--torch-ops", "conv"], {}),
              ("ours parallel, all torch operators", ours + ["--path", "parallel", "--torch-ops", "all"], {}),
              ("reference + malloc env", ref, MALLOC_ENV)]
    return v


def measure(binary, settings, threads, reps, ablation, iters):
    rows = []
    for name in settings:
        its, warm = iters[name]
        for t in threads:
            results = {}
            vs = variants(binary, ablation)
            for rep in range(reps):
                for label, cmd, env in (vs if rep % 2 == 0 else list(reversed(vs))):
                    args = cmd + SETTINGS[name] + COMMON + ["--threads", str(t), "--iters", str(its),
                                                            "--warmup", str(warm)]
                    r = run_json(args, env)[0]
                    results.setdefault(label, []).append(r)
                    print("  %-22s %dT %-30s %.3f s/it  %d MiB" % (
                        name, t, label, r["median_s"], r["peak_rss_kb"] // 1024), flush=True)
            rows.append((name, t, results))
    return rows


def summarise(rows):
    lines = ["| setting | threads | implementation | s / meta-iteration | meta-iterations / s "
             "| vs reference | peak RSS |", "|---|---|---|---|---|---|---|"]
    for name, t, results in rows:
        ref = statistics.median(r["median_s"] for r in results["reference"])
        for label, rs in results.items():
            s = statistics.median(r["median_s"] for r in rs)
            mem = statistics.median(r["peak_rss_kb"] for r in rs) / 1024
            lines.append("| %s | %d | %s | %.3f | %.2f | %.2fx | %.0f MiB |" % (
                name, t, label, s, 1.0 / s, ref / s, mem))
    return "\n".join(lines)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--binary", default=None, help="use this bench_maml instead of building one")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--ablation", action="store_true")
    ap.add_argument("--settings", default=None, help="comma-separated subset, e.g. 'canonical 2nd-order'")
    ap.add_argument("--iters", type=int, default=None, help="timed meta-iterations per process")
    ap.add_argument("--warmup", type=int, default=None, help="untimed meta-iterations first")
    ap.add_argument("--json-out", default=None)
    args = ap.parse_args(argv)
    binary = args.binary or build(args.build_dir)
    workdir = os.path.join(args.build_dir, "bench-data")
    os.makedirs(workdir, exist_ok=True)
    load0 = os.getloadavg()
    settings = list(SETTINGS)
    if args.settings:
        settings = [s.strip() for s in args.settings.split(",")]
    elif args.quick:
        settings = settings[:2]
    ok = check(binary, workdir, settings)
    reps = 2 if args.quick else args.reps
    iters = {name: (5, 2) for name in SETTINGS}
    iters["study 5w10s 20 tasks"] = (2, 1)
    for name in iters:
        its, warm = iters[name]
        iters[name] = (args.iters or its, warm if args.warmup is None else args.warmup)
    threads = [int(x) for x in args.threads.split(",")]
    print("Timing (each line one process; alternating):")
    start = time.time()
    rows = measure(binary, settings, threads, reps, args.ablation, iters)
    print("\nLoad average at start %.1f, at end %.1f; %d repetitions; %.0f s in all.\n" % (
        load0[0], os.getloadavg()[0], reps, time.time() - start))
    print(summarise(rows))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"rows": [[n, t, r] for n, t, r in rows], "check_ok": ok}, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
