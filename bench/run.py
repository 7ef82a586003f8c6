#!/usr/bin/python3
"""One command: build the benchmark, check that the workbench and the PyTorch reference compute
the same meta-gradient, then time both, alternating, several repetitions, and print the table.

    /usr/bin/python3 bench/run.py                 # the README table (all settings, 1 and 2 threads)
    /usr/bin/python3 bench/run.py --quick         # fewer repetitions, canonical settings only
    /usr/bin/python3 bench/run.py --ablation      # also: our plain path, torch's operators (each), glibc malloc untuned,
                                                  # and the reference with the same malloc tuning
    /usr/bin/python3 bench/run.py --check-only    # only the meta-gradient checks (MAML and each MAML++ part)
    /usr/bin/python3 bench/run.py --memory        # checks, then peak memory and time at 5, 10 and 20 inner
                                                  # steps with and without recomputing them (checkpoint_inner_steps)

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


# MAML++ parts checked one by one and together, on the canonical second-order setting. The
# third element: flags for our side only (the reference has one way to compute).
MSL = ["--multi-step-loss", "--msl-iterations", "100", "--iteration", "30"]
ALL = ["--lslr", "--per-step-bn", "--cosine-meta-lr", "--run-iterations", "100"] + MSL
MAMLPP_CHECKS = [
    ("LSLR", ["--lslr"], []),
    ("multi-step loss", MSL, []),
    ("per-step BN", ["--per-step-bn"], []),
    ("derivative-order annealing (first-order phase)", ["--first-order-iterations", "50", "--iteration", "10"], []),
    ("cosine meta-lr", ["--cosine-meta-lr", "--run-iterations", "100", "--iteration", "37"], []),
    ("all MAML++", ALL, []),
    ("all MAML++, first-order phase", ALL + ["--first-order-iterations", "50"], []),
    ("MAML, inner steps recomputed", [], ["--checkpoint-inner-steps"]),
    ("all MAML++, inner steps recomputed", ALL, ["--checkpoint-inner-steps"]),
]


def check_case(binary, workdir, label, export_flags, our_flags):
    """Our plain path (operators on 2 threads) is compared with the reference on 2 threads, our
    task-parallel path (each task on 1 operator thread) with the reference on 1 thread: float32
    sums in another order differ, and the LSLR rates' gradients (sums over every weight of
    products of gradients, with much cancellation) move by ~1e-3 relative with the operator
    threads alone, in the reference as in ours."""
    prefix = os.path.join(workdir, "check-" + "".join(c if c.isalnum() else "-" for c in label))
    ok, results = True, []
    for threads, path in (("2", "plain"), ("1", "parallel")):
        case = prefix + "-t" + threads
        run_json([PYTHON, os.path.join(HERE, "reference_maml.py"), "export", "--out", case,
                  "--threads", threads] + export_flags + COMMON)
        proc = subprocess.run([binary, "check", "--case", case, "--threads", "2"] + our_flags,
                              capture_output=True, text=True)
        lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        if not lines:
            print("  %-48s bench_maml check failed: %s" % (label, proc.stderr.strip()))
            ok = False
            continue
        for r in lines:
            if r["path"].startswith("parallel") != (path == "parallel"):
                continue  # the other export's path (a "plain (parallel off)" run is a plain one)
            results.append(r)
            ok = ok and r["agrees"]
            extra = ""
            if r.get("running_stats_relative_error"):
                extra += "  running stats %.1e" % r["running_stats_relative_error"]
            if r.get("meta_lr") != r.get("reference_meta_lr") or r.get("reference_meta_lr") != 1e-3:
                extra += "  meta-lr %.6g vs %.6g" % (r["meta_lr"], r["reference_meta_lr"])
            print("  %-48s %-30s rel.err %.2e  max|diff| %.2e  loss %.6f vs %.6f%s  %s" % (
                label, r["path"], r["relative_error"], r["max_abs_diff"], r["loss"],
                r["reference_loss"], extra, "agrees" if r["agrees"] else "DISAGREES"), flush=True)
    return ok, results


def check(binary, workdir, settings, mamlpp=True):
    """Checks the canonical settings among `settings` (the study's is the same code, bigger),
    then each MAML++ part alone and together (canonical second-order setting)."""
    print("Meta-gradient check (same weights and episodes; relative L2 error vs the reference):")
    ok = True
    cases = [(name, SETTINGS[name], []) for name in settings if name.startswith("canonical")]
    if mamlpp:
        cases += [(label, SETTINGS["canonical 2nd-order"] + flags, ours) for label, flags, ours in MAMLPP_CHECKS]
    for label, flags, ours in cases:
        good, _ = check_case(binary, workdir, label, flags, ours)
        ok = ok and good
    return ok


def memory(binary, threads, reps):
    """Peak RSS and time per meta-iteration at 5, 10 and 20 second-order inner steps, with the
    inner steps' graphs kept (MAML's usual way) and recomputed in the backward pass."""
    print("Memory (canonical 2nd-order setting, %s thread(s); each line one process):" % threads)
    rows = []
    for steps in (5, 10, 20):
        results = {}
        for rep in range(reps):
            order = [False, True] if rep % 2 == 0 else [True, False]
            for ckpt in order:
                setting = list(SETTINGS["canonical 2nd-order"])
                setting[setting.index("--steps") + 1] = str(steps)
                args = [binary, "time"] + setting + COMMON + [
                    "--threads", str(threads), "--iters", "3", "--warmup", "1"]
                if ckpt:
                    args.append("--checkpoint-inner-steps")
                r = run_json(args)[0]
                results.setdefault(ckpt, []).append(r)
                print("  %2d steps %-10s %.3f s/it  %d MiB" % (
                    steps, "recomputed" if ckpt else "kept", r["median_s"], r["peak_rss_kb"] // 1024), flush=True)
        rows.append((steps, results))
    lines = ["| inner steps | graphs kept: s/it | peak RSS | recomputed: s/it | peak RSS | time ratio |",
             "|---|---|---|---|---|---|"]
    for steps, results in rows:
        kept_s = statistics.median(r["median_s"] for r in results[False])
        kept_m = statistics.median(r["peak_rss_kb"] for r in results[False]) / 1024
        ck_s = statistics.median(r["median_s"] for r in results[True])
        ck_m = statistics.median(r["peak_rss_kb"] for r in results[True]) / 1024
        lines.append("| %d | %.3f | %.0f MiB | %.3f | %.0f MiB | %.2fx |" % (
            steps, kept_s, kept_m, ck_s, ck_m, ck_s / kept_s))
    return "\n".join(lines)


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
    ap.add_argument("--check-only", action="store_true", help="only the meta-gradient checks")
    ap.add_argument("--memory", action="store_true",
                    help="checks, then memory and time at 5/10/20 inner steps, graphs kept vs recomputed")
    ap.add_argument("--no-mamlpp-check", action="store_true", help="check plain MAML only")
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
    ok = check(binary, workdir, settings, mamlpp=not args.no_mamlpp_check)
    if args.check_only:
        return 0 if ok else 1
    if args.memory:
        for t in [int(x) for x in args.threads.split(",")]:
            table = memory(binary, t, args.reps)
            print("\nLoad average at start %.1f, now %.1f.\n" % (load0[0], os.getloadavg()[0]))
            print(table)
        return 0 if ok else 1
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
