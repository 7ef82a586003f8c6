#!/usr/bin/python3
"""A shared desktop: how much slower does the workbench get when one other CPU-heavy process
runs beside it, and does OpenMP's wait policy matter?

    /usr/bin/python3 bench/shared_desktop.py --cli build/release/app/maml-cli \\
        --checkpoint runs/glyphs/checkpoints/best.pt [--reps 3] [--episodes 200]

For each case the same command runs as a fresh process: `maml-cli eval` (N episodes) and
`maml-cli train` (a few Glyphs iterations, into a temporary run folder), once with nothing else
running ("quiet") and once beside one busy process (a Python loop that never sleeps: "loaded"),
each with the environment as given ("default") and with OMP_WAIT_POLICY=PASSIVE. Cases run in
turn, repetition by repetition, so a busy spell of the machine hits all of them; the table shows
the median wall-clock time per case and the ratio loaded / quiet, which is what a user feels.
Ratios are the figures to quote: absolute times depend on the machine.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BUSY = "while True: pass"


def run(cmd, env):
    start = time.monotonic()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return seconds


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cli", required=True, help="the maml-cli binary")
    p.add_argument("--checkpoint", required=True, help="a Glyphs checkpoint (maml-cli train --preset glyphs-5w1s)")
    p.add_argument("--episodes", type=int, default=200)
    p.add_argument("--iterations", type=int, default=40)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()

    work = tempfile.mkdtemp(prefix="maml-shared-desktop-")
    commands = {
        "eval": [a.cli, "eval", "--checkpoint", a.checkpoint, "--episodes", str(a.episodes), "--no-baseline"],
        "train": [a.cli, "train", "--preset", "glyphs-5w1s", "--iterations", str(a.iterations)],
    }
    policies = {"default": {}, "passive": {"OMP_WAIT_POLICY": "PASSIVE"}}
    times = {}
    try:
        for rep in range(a.reps):
            for load in ("quiet", "loaded"):
                busy = subprocess.Popen([sys.executable, "-c", BUSY]) if load == "loaded" else None
                try:
                    if busy:
                        time.sleep(0.5)  # let it start
                    for name, cmd in commands.items():
                        for policy, extra in policies.items():
                            env = dict(os.environ, **extra)
                            c = list(cmd)
                            if name == "train":
                                run_dir = os.path.join(work, f"r{rep}-{load}-{policy}")
                                c += ["--run-dir", run_dir]
                            t = run(c, env)
                            times.setdefault((name, policy, load), []).append(t)
                            print(f"rep {rep + 1}: {name:5s} {policy:7s} {load:6s} {t:7.2f} s", flush=True)
                finally:
                    if busy:
                        busy.kill()
                        busy.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print("| command | OpenMP wait | quiet (median s) | beside one busy process (median s) | loaded / quiet |")
    print("|---|---|---|---|---|")
    for name in commands:
        for policy in policies:
            q = statistics.median(times[(name, policy, "quiet")])
            l = statistics.median(times[(name, policy, "loaded")])
            print(f"| {name} | {policy} | {q:.2f} | {l:.2f} | {l / q:.2f}x |")


if __name__ == "__main__":
    main()
