#!/usr/bin/python3
"""MAML++ ablation at an equal wall-clock budget per row: plain MAML, each MAML++ part alone,
and all of MAML++, trained from the same base settings on the same data, then evaluated on the
same seeded episodes. Prints a Markdown table.

    /usr/bin/python3 bench/ablation.py --preset omniglot-20w1s-mamlpp \\
        --dataset omniglot:/work/shared/datasets/omniglot/images_background --budget-minutes 30
    /usr/bin/python3 bench/ablation.py --preset cifarfs-5w5s-mamlpp \\
        --dataset cifar100:/work/shared/datasets/cifar100-dev --split val --budget-minutes 30

Rows (the base is the preset, or --config, with every MAML++ part switched off, then on one at a
time): MAML; + LSLR; + multi-step loss; + per-step BN; + derivative-order annealing; + cosine
meta-lr; MAML++ without per-step BN (the other four; batch statistics, as MAML); MAML++ (all five).

How the budget is shared: each row first runs --calibrate iterations (no validation) to measure
its seconds per iteration, the 20th percentile after the warm-up (separately for each phase of its
schedule: first- or second-order, with or without the multi-step loss's scoring after every
step), then trains for as many iterations as fit in 90% of the budget, with the annealing
lengths (multi-step loss, first-order phase) scaled by the same factor as the iterations. A run still going when the budget is up is stopped (Ctrl-C: it saves) and scored as
it is. Each row is then evaluated with `maml-cli eval` on best.pt (the best validation; or
last.pt with --checkpoint last) over --episodes episodes of --split. Rows with per-step BatchNorm score each query on its own
(running statistics); the others normalise the query set with its own statistics (transductive):
the table says which.

Everything runs through maml-cli; only the Python standard library is needed.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

import cli_runs

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PARTS = ["lslr", "multi_step_loss", "per_step_bn", "first_order_iterations", "cosine_meta_lr"]
LABELS = {"lslr": "+ LSLR", "multi_step_loss": "+ multi-step loss", "per_step_bn": "+ per-step BN",
          "first_order_iterations": "+ derivative-order annealing", "cosine_meta_lr": "+ cosine meta-lr"}


def base_config(args):
    if args.config:
        with open(args.config) as f:
            config = json.load(f)
    else:
        config = cli_runs.preset_config(args.cli, args.preset, "ablation")
    if args.dataset:
        config["dataset"] = args.dataset
    if args.threads is not None:
        config["threads"] = args.threads
    return config


def row_config(base, parts):
    """`base` with exactly the MAML++ parts in `parts` on. The annealing lengths of the base
    (or 10% of its iterations, if it has none) are kept for the parts that use them."""
    c = dict(base)
    iterations = c.get("iterations", 1000)
    c["lslr"] = "lslr" in parts
    c["multi_step_loss"] = "multi_step_loss" in parts
    c["multi_step_loss_iterations"] = base.get("multi_step_loss_iterations") or max(1, iterations // 10)
    c["batch_norm"] = "per-step" if "per_step_bn" in parts else "batch"
    fo = base.get("first_order_iterations") or max(1, iterations // 10)
    c["first_order_iterations"] = fo if "first_order_iterations" in parts else 0
    c["cosine_meta_lr"] = "cosine_meta_lr" in parts
    c["first_order"] = False
    c["checkpoint_inner_steps"] = False
    return c


def rows(base, selected):
    """(label, config) per row; `selected` keeps a comma-separated subset of the keys maml, the
    part names and all."""
    table = ([("maml", "MAML", [])] + [(p, LABELS[p], [p]) for p in PARTS] +
             [("all_but_bn", "MAML++ without per-step BN", [p for p in PARTS if p != "per_step_bn"]),
              ("all", "MAML++ (all)", PARTS)])
    if selected:
        keep = {k.strip() for k in selected.split(",")}
        unknown = keep - {key for key, _, _ in table}
        if unknown:
            sys.exit("ablation: unknown row(s) %s" % ", ".join(sorted(unknown)))
        table = [row for row in table if row[0] in keep]
    return [(label, row_config(base, parts)) for _, label, parts in table]


def write(path, config):
    with open(path, "w") as f:
        json.dump(config, f, indent=1)


def metrics(run_dir):
    lines = []
    path = os.path.join(run_dir, "metrics.jsonl")
    if os.path.exists(path):
        with open(path) as f:
            lines = [json.loads(line) for line in f if line.strip()]
    return lines


def train(args, config, run_dir, limit_s=None):
    """Runs maml-cli train; stops it with SIGINT after limit_s seconds. Returns (wall s, stopped)."""
    cfg = run_dir + ".json"
    write(cfg, config)
    cmd = ["nice", "-n", str(args.nice), args.cli, "train", "--config", cfg, "--run-dir", run_dir]
    with open(run_dir + ".log", "w") as log:
        t0 = time.time()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        stopped = False
        try:
            proc.wait(timeout=limit_s)
        except subprocess.TimeoutExpired:
            stopped = True
            proc.send_signal(signal.SIGINT)
            proc.wait()
        wall = time.time() - t0
    if proc.returncode not in (0, 130):
        sys.exit("ablation: training failed (exit %d), see %s.log" % (proc.returncode, run_dir))
    return wall, stopped


def seconds_per_iteration(args, config, run_dir):
    """Trains --calibrate iterations without validation and returns the 20th percentile of the
    seconds per iteration after the first third (at most 10): the first iterations are slower (the
    allocator and the task threads warm up), and on a shared machine other work only ever slows
    an iteration down. Erring fast means a row may be stopped at the budget (equal wall-clock,
    schedule not quite finished) rather than end early with budget unused."""
    c = dict(config)
    c["iterations"] = args.calibrate
    c["val_every"] = args.calibrate + 1
    c["log_every"] = 1
    train(args, c, run_dir)
    m = metrics(run_dir)
    skip = min(10, args.calibrate // 3)
    deltas = sorted(b["seconds"] - a["seconds"] for a, b in zip(m[skip:], m[skip + 1:]))
    if not deltas:
        sys.exit("ablation: calibration of %s wrote too few metrics" % run_dir)
    return deltas[len(deltas) // 5]


def plan(args, label, config, work):
    """The row's iterations for the budget, with its annealing lengths scaled to them.

    A row's cost per iteration changes with its schedule: first-order iterations are cheaper, and
    the multi-step loss scores the queries after every inner step only while it is annealed
    (afterwards only the last step counts). Each phase the row goes through is calibrated on its
    own and weighted by its share of the iterations (the two phases both start at iteration 0)."""
    budget = args.budget_minutes * 60 * 0.9
    name = "".join(ch if ch.isalnum() else "-" for ch in label).strip("-").lower()
    base_its = config["iterations"]
    fo_share = min(1.0, config["first_order_iterations"] / base_its) if config["first_order_iterations"] else 0.0
    msl_share = min(1.0, config["multi_step_loss_iterations"] / base_its) if config["multi_step_loss"] else 0.0
    phases = {  # (first order, multi-step loss) -> share of the iterations
        (True, True): min(fo_share, msl_share),
        (True, False): fo_share - min(fo_share, msl_share),
        (False, True): msl_share - min(fo_share, msl_share),
        (False, False): 1 - max(fo_share, msl_share),
    }
    times = {}
    for (fo, msl), share in phases.items():
        if share <= 0:
            continue
        c = dict(config, first_order_iterations=0, first_order=fo, multi_step_loss=msl)
        if fo:
            c["checkpoint_inner_steps"] = False
        suffix = "-cal" + ("-fo" if fo else "") + ("-msl" if msl else "")
        times[(fo, msl)] = seconds_per_iteration(args, c, os.path.join(work, name + suffix))
    per_it = sum(phases[k] * t for k, t in times.items())
    its = max(2, int(budget / per_it))
    c = dict(config)
    c["iterations"] = its
    scale = its / base_its
    if c["first_order_iterations"]:
        c["first_order_iterations"] = max(1, int(round(c["first_order_iterations"] * scale)))
    c["multi_step_loss_iterations"] = max(1, int(round(c["multi_step_loss_iterations"] * scale)))
    c["val_every"] = max(1, its // args.validations)
    return name, c, per_it, times


def evaluate(args, run_dir):
    ckpt = os.path.join(run_dir, "checkpoints", args.checkpoint + ".pt")
    if not os.path.exists(ckpt):
        ckpt = os.path.join(run_dir, "checkpoints", "last.pt")
    return cli_runs.evaluate(args.cli, ckpt, args.split, args.episodes, "ablation", baselines=False,
                             threads=args.threads, nice=args.nice)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--preset", default="omniglot-20w1s-mamlpp")
    ap.add_argument("--config", default=None, help="a config file as the base instead of a preset")
    ap.add_argument("--dataset", default=None, help="dataset spec, e.g. omniglot:DIR or cifar100:DIR")
    ap.add_argument("--budget-minutes", type=float, default=30.0, help="wall clock per row")
    ap.add_argument("--split", default="test", help="evaluation split (CIFAR-FS dev copy: val)")
    ap.add_argument("--episodes", type=int, default=600)
    ap.add_argument("--checkpoint", choices=["best", "last"], default="best",
                    help="which checkpoint a row is scored with: best (chosen on the validation split) or last "
                         "(use last when --split is the validation split, so the choice does not see it)")
    ap.add_argument("--validations", type=int, default=5, help="validations per run")
    ap.add_argument("--calibrate", type=int, default=40, help="iterations that measure a row's speed")
    ap.add_argument("--rows", default=None,
                    help="comma-separated subset: maml, lslr, multi_step_loss, per_step_bn, "
                         "first_order_iterations, cosine_meta_lr, all_but_bn, all")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--nice", type=int, default=10)
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "release", "app", "maml-cli"))
    ap.add_argument("--work-dir", default=os.path.join(ROOT, "runs", "ablation"))
    ap.add_argument("--json-out", default=None)
    args = ap.parse_args(argv)
    if not os.path.exists(args.work_dir):
        os.makedirs(args.work_dir)
    work = os.path.join(args.work_dir, time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(work)
    base = base_config(args)
    load0 = os.getloadavg()[0]
    results = []
    for label, config in rows(base, args.rows):
        name, c, per_it, times = plan(args, label, config, work)
        print("%-32s %.3f s/it planned (%s) -> %d iterations" % (
            label, per_it, ", ".join("%s%s %.3f" % ("first order" if fo else "second order",
                                                   " + multi-step loss" if msl else "", t)
                                     for (fo, msl), t in times.items()), c["iterations"]), flush=True)
        run_dir = os.path.join(work, name)
        wall, stopped = train(args, c, run_dir, limit_s=args.budget_minutes * 60)
        m = metrics(run_dir)
        done = m[-1]["iteration"] if m else 0
        vals = [x["val_accuracy"] for x in m if "val_accuracy" in x]
        r = evaluate(args, run_dir)
        results.append({"row": label, "iterations": done, "planned": c["iterations"], "wall_s": wall,
                        "stopped": stopped, "best_val": max(vals) if vals else None,
                        "accuracy": r["accuracy"], "ci95": r["ci95"], "batch_norm": r.get("batch_norm", ""),
                        "episodes": r["episodes"], "s_per_it": per_it, "run_dir": run_dir})
        print("  %d iterations in %.0f s%s: %s %.2f%% +- %.2f%%" % (
            done, wall, " (stopped at the budget)" if stopped else "", args.split, 100 * r["accuracy"],
            100 * r["ci95"]), flush=True)
    print("\nBase: %s%s, dataset %s; budget %.1f min per row; %s.pt scored on the %s split, %d episodes; "
          "load average %.1f at start, %.1f at end.\n" % (
              args.config or args.preset, "" if args.config else " (preset)", base["dataset"], args.budget_minutes,
              args.checkpoint, args.split, args.episodes, load0, os.getloadavg()[0]))
    print("| row | iterations | training wall clock | planned s / iteration | BatchNorm at test | best validation "
          "| %s accuracy (%d episodes) |" % (args.split, args.episodes))
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print("| %s | %d%s | %.0f s | %.3f | %s | %s | %.2f%% +- %.2f%% |" % (
            r["row"], r["iterations"], " (stopped)" if r["stopped"] else "", r["wall_s"], r["s_per_it"],
            r["batch_norm"], "-" if r["best_val"] is None else "%.2f%%" % (100 * r["best_val"]),
            100 * r["accuracy"], 100 * r["ci95"]))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
