#!/usr/bin/python3
"""Learning curves of training runs from their metrics.jsonl: validation accuracy against
meta-updates, wall-clock time and CPU time, as a Markdown table per run, and where each curve
flattens.

    /usr/bin/python3 bench/curve.py runs/omni20-maml runs/omni20-mamlpp [--every 2] [--points 1]

"Flattens" is the first validation whose running mean over `--window` validations (default 3)
is within `--points` (default 1.0) accuracy points of the best running mean the run reached:
later training bought less than that. CPU time is what the run's process used (all its threads),
so it does not grow when a shared machine slows the run down; wall clock does.
Only the Python standard library.
"""
import argparse
import json
import os
import sys


def read_metrics(run_dir):
    path = os.path.join(run_dir, "metrics.jsonl")
    if not os.path.exists(path):
        sys.exit("curve: %s has no metrics.jsonl (is it a run folder?)" % run_dir)
    rows = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except ValueError:
                # A run killed while writing leaves a partial last line; anything else is damage.
                if number == sum(1 for _ in open(path)):
                    break
                sys.exit("curve: %s line %d is not JSON" % (path, number))
    return rows


def hm(seconds):
    minutes = int(round(seconds / 60))
    return "%d:%02d" % (minutes // 60, minutes % 60)


def running_mean(values, window):
    out = []
    for i in range(len(values)):
        part = values[max(0, i - window + 1):i + 1]
        out.append(sum(part) / len(part))
    return out


def flattening(validations, window, points):
    """Index of the first validation whose running mean is within `points` of the best one."""
    if not validations:
        return None
    means = running_mean([100 * v["val_accuracy"] for v in validations], window)
    best = max(means)
    for i, m in enumerate(means):
        if m >= best - points:
            return i
    return None


def describe(run_dir, args):
    rows = read_metrics(run_dir)
    validations = [r for r in rows if "val_accuracy" in r]
    train = [r for r in rows if "train_accuracy" in r]
    name = os.path.basename(os.path.normpath(run_dir))
    if not validations:
        return "**%s**: no validation yet (%d logged meta-updates)\n" % (name, len(train))
    out = ["**%s** (%d validations, last at meta-update %d)\n" % (name, len(validations),
                                                                  validations[-1]["iteration"]),
           "| meta-updates | wall clock (h:mm) | CPU time (h:mm) | train accuracy (last 10 logs) | validation accuracy |",
           "|---|---|---|---|---|"]
    for i, v in enumerate(validations):
        if i % args.every and i != len(validations) - 1:
            continue
        recent = [r["train_accuracy"] for r in train if r["iteration"] <= v["iteration"]][-10:]
        out.append("| %d | %s | %s | %.2f%% | %.2f%% +- %.2f%% |" % (
            v["iteration"], hm(v.get("seconds", 0)), hm(v.get("cpu_seconds", 0)),
            100 * sum(recent) / max(1, len(recent)), 100 * v["val_accuracy"], 100 * v.get("val_ci95", 0)))
    best = max(validations, key=lambda v: v["val_accuracy"])
    flat = flattening(validations, args.window, args.points)
    out.append("")
    out.append("best validation %.2f%% at meta-update %d (%s wall clock, %s CPU)" % (
        100 * best["val_accuracy"], best["iteration"], hm(best.get("seconds", 0)), hm(best.get("cpu_seconds", 0))))
    if flat is not None:
        f = validations[flat]
        out.append("flattens at meta-update %d (%s wall clock, %s CPU): running mean of %d validations within "
                   "%.1f points of its best" % (f["iteration"], hm(f.get("seconds", 0)), hm(f.get("cpu_seconds", 0)),
                                                args.window, args.points))
    return "\n".join(out) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("runs", nargs="+", help="run folders (each with metrics.jsonl)")
    ap.add_argument("--every", type=int, default=1, help="show every n-th validation (the last always)")
    ap.add_argument("--window", type=int, default=3)
    ap.add_argument("--points", type=float, default=1.0)
    args = ap.parse_args(argv)
    if args.every < 1 or args.window < 1:
        sys.exit("curve: --every and --window must be at least 1")
    for run_dir in args.runs:
        print(describe(run_dir, args))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
