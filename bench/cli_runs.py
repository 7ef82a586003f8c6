"""What the bench scripts that drive whole runs through maml-cli share (ablation.py,
text_folds.py): a preset's full config, and an adapt-then-score evaluation as JSON.
Standard library only."""
import json
import subprocess
import sys


def preset_config(cli, name, caller):
    """The config of the preset `name` (`maml-cli presets --json`); exits naming the known ones."""
    out = subprocess.run([cli, "presets", "--json"], check=True, capture_output=True, text=True).stdout
    presets = {p["name"]: p["config"] for p in json.loads(out)}
    if name not in presets:
        sys.exit("%s: no preset named %r (known: %s)" % (caller, name, ", ".join(sorted(presets))))
    return presets[name]


def evaluate(cli, checkpoint, split, episodes, caller, baselines=True, threads=None, nice=10, log=None):
    """`maml-cli eval --json` on `checkpoint`, run with `nice`; its standard error goes to `log`
    (a file name) when given. Exits with the command and the log's name when eval fails."""
    cmd = ["nice", "-n", str(nice), cli, "eval", "--checkpoint", checkpoint, "--split", split,
           "--episodes", str(episodes), "--json"]
    if not baselines:
        cmd.append("--no-baseline")
    if threads is not None:
        cmd += ["--threads", str(threads)]
    err = open(log, "w") if log else subprocess.PIPE
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
    finally:
        if log:
            err.close()
    if proc.returncode != 0:
        sys.exit("%s: maml-cli eval failed (exit %d) on %s%s" % (
            caller, proc.returncode, checkpoint, ", see " + log if log else ": " + (proc.stderr or "").strip()))
    return json.loads(proc.stdout)
