#!/usr/bin/python3
"""Few-shot sentiment, leave one domain out: for each of amazon, yelp and imdb, meta-train on the
80% parts of the other two, choose among the candidate models on the 10% validation parts of
those two, and test the chosen one on every sentence of the held-out domain (which no choice
sees). Prints a Markdown table per fold (validation of every candidate, then the chosen one's test
accuracy beside the no-meta-learning baseline and the AFINN-165 lexicon, 95% CIs).

    /usr/bin/python3 bench/text_folds.py                       # both candidates, 2-way 5-shot
    /usr/bin/python3 bench/text_folds.py --shots 10 --candidates mean-afinn
    /usr/bin/python3 bench/text_folds.py --folds imdb --test-all

Candidates (every one from the preset sentiment-uci-2w5s, only the model changed):
  mean-afinn     the presets' model: Transformer, mean pooling, AFINN-165 lexicon prior (128 dims)
  study-flatten  the study's model: no CLS token, the [128 x 256] output flattened into
                 Linear(128*256, 2), learned from the text alone
  mean-text      mean pooling, learned from the text alone
  mean-corpus    mean pooling, lexicon prior "afinn+corpus": AFINN-165 plus word scores learned from
                 the meta-training text, which for the amazon and yelp folds includes the 50,000
                 imdb50k reviews (dataset sentiment-uci+imdb50k; tasks drawn from them too); the
                 imdb fold never sees imdb50k (movie reviews, the held-out domain)

--test-all also tests the candidates that were not chosen (reported, never used to choose).
Needs the sentiment-uci data (datasets/fetch-text-data.sh); everything runs through maml-cli and
the Python standard library.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import cli_runs

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DOMAINS = ["amazon", "yelp", "imdb"]

CANDIDATES = {
    "mean-afinn": {},
    "study-flatten": {"extra": {"head": "flatten", "lexicon": "none"}},
    "mean-text": {"extra": {"lexicon": "none"}},
    "mean-corpus": {"extra": {"lexicon": "afinn+corpus", "maxWords": 30000}, "imdb50k": True},
}


def fold_config(base, held_out, candidate, args):
    c = json.loads(json.dumps(base))
    extra_data = False
    for key, value in CANDIDATES[candidate].items():
        if key == "extra":
            c["extra"].update(value)
        elif key == "imdb50k":
            extra_data = value and held_out != "imdb"
        else:
            c[key] = value
    train = [d for d in DOMAINS if d != held_out]
    c["train_split"] = "+".join(d + "@train" for d in train)
    if extra_data:
        c["dataset"] = "sentiment-uci+imdb50k"
        c["train_split"] += "+imdb50k"
    c["val_split"] = "+".join(d + "@val" for d in train)
    c["test_split"] = held_out
    c["shots"] = args.shots
    if args.iterations:
        c["iterations"] = args.iterations
    c["val_every"] = c["iterations"]
    c["seed"] = args.seed
    if args.threads is not None:
        c["threads"] = args.threads
    return c


def run(cmd, log):
    with open(log, "w") as f:
        proc = subprocess.run(["nice", "-n", "10"] + cmd, stdout=subprocess.PIPE, stderr=f, text=True)
    if proc.returncode != 0:
        sys.exit("text_folds: %s failed (exit %d), see %s" % (" ".join(cmd[:2]), proc.returncode, log))
    return proc.stdout


def evaluate(args, ckpt, split, episodes, baselines, log):
    return cli_runs.evaluate(args.cli, ckpt, split, episodes, "text_folds", baselines=baselines,
                             threads=args.threads, log=log)


def pct(acc, ci):
    return "%.2f%% +- %.2f%%" % (100 * acc, 100 * ci)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--candidates", default="mean-afinn,study-flatten")
    ap.add_argument("--folds", default=",".join(DOMAINS), help="held-out domains")
    ap.add_argument("--shots", type=int, default=5)
    ap.add_argument("--iterations", type=int, default=None, help="override the preset's 250")
    ap.add_argument("--val-episodes", type=int, default=300)
    ap.add_argument("--episodes", type=int, default=600, help="test episodes on the held-out domain")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--test-all", action="store_true")
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "release", "app", "maml-cli"))
    ap.add_argument("--work-dir", default=os.path.join(ROOT, "runs", "text-folds"))
    ap.add_argument("--json-out", default=None)
    args = ap.parse_args(argv)
    candidates = [c.strip() for c in args.candidates.split(",") if c.strip()]
    unknown = [c for c in candidates if c not in CANDIDATES]
    folds = [d.strip() for d in args.folds.split(",") if d.strip()]
    if unknown or not candidates or any(d not in DOMAINS for d in folds):
        sys.exit("text_folds: candidates are %s; folds are %s" % (", ".join(CANDIDATES), ", ".join(DOMAINS)))
    base = cli_runs.preset_config(args.cli, "sentiment-uci-2w5s", "text_folds")
    work = os.path.join(args.work_dir, time.strftime("%Y%m%d-%H%M%S") + "-%dshot" % args.shots)
    os.makedirs(work)
    results = []
    for held_out in folds:
        fold = {"held_out": held_out, "candidates": []}
        for cand in candidates:
            config = fold_config(base, held_out, cand, args)
            name = "%s-%s" % (held_out, cand)
            run_dir = os.path.join(work, name)
            with open(run_dir + ".json", "w") as f:
                json.dump(config, f, indent=1)
            t0 = time.time()
            run([args.cli, "train", "--config", run_dir + ".json", "--run-dir", run_dir], run_dir + ".train.log")
            train_s = time.time() - t0
            ckpt = os.path.join(run_dir, "checkpoints", "last.pt")
            val = evaluate(args, ckpt, "val", args.val_episodes, False, run_dir + ".val.log")
            entry = {"candidate": cand, "train_s": train_s, "val_accuracy": val["accuracy"], "val_ci95": val["ci95"],
                     "checkpoint": ckpt}
            fold["candidates"].append(entry)
            print("%s held out, %s: trained in %.0f s; validation (%s) %s" % (
                held_out, cand, train_s, config["val_split"], pct(val["accuracy"], val["ci95"])), flush=True)
        chosen = max(fold["candidates"], key=lambda e: e["val_accuracy"])
        fold["chosen"] = chosen["candidate"]
        for entry in fold["candidates"]:
            if entry is chosen or args.test_all:
                t = evaluate(args, entry["checkpoint"], "test", args.episodes, True,
                             os.path.join(work, "%s-%s.test.log" % (held_out, entry["candidate"])))
                entry["test"] = {k: t.get(k) for k in ("accuracy", "ci95", "baseline_accuracy", "baseline_ci95",
                                                       "afinn_accuracy", "afinn_ci95", "afinn_zero_share",
                                                       "afinn_error", "episodes", "seconds")}
                print("  %s on all of %s: MAML %s, no meta-learning %s, AFINN-165 %s" % (
                    entry["candidate"], held_out, pct(t["accuracy"], t["ci95"]),
                    pct(t.get("baseline_accuracy", 0), t.get("baseline_ci95", 0)),
                    pct(t["afinn_accuracy"], t["afinn_ci95"]) if "afinn_accuracy" in t else t.get("afinn_error")),
                      flush=True)
        results.append(fold)

    print("\n2-way %d-shot, leave one domain out; chosen on the validation parts only; test: every sentence of "
          "the held-out domain, %d episodes; validation %d episodes.\n" % (args.shots, args.episodes,
                                                                          args.val_episodes))
    print("| held out | validation (%s) | chosen | MAML | no meta-learning | AFINN-165 | MAML - AFINN |" %
          ", ".join(candidates))
    print("|---|---|---|---|---|---|---|")
    for fold in results:
        vals = ", ".join("%s %.2f%%" % (e["candidate"], 100 * e["val_accuracy"]) for e in fold["candidates"])
        chosen = [e for e in fold["candidates"] if e["candidate"] == fold["chosen"]][0]["test"]
        afinn = chosen.get("afinn_accuracy")
        print("| %s | %s | %s | %s | %s | %s | %s |" % (
            fold["held_out"], vals, fold["chosen"], pct(chosen["accuracy"], chosen["ci95"]),
            pct(chosen["baseline_accuracy"], chosen["baseline_ci95"]),
            "-" if afinn is None else pct(afinn, chosen["afinn_ci95"]),
            "-" if afinn is None else "%+.2f points" % (100 * (chosen["accuracy"] - afinn))))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
