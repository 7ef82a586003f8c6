#!/usr/bin/python3
"""Loads a TorchScript module exported by MAML Workbench with plain PyTorch (no workbench code)
and checks that it gives the workbench's probabilities for the same inputs.

usage: check_torchscript.py MODEL.pt CASE.json
CASE.json: {"inputs": nested list, "dtype": "float32"|"int64", "probabilities": nested list,
            "tolerance": 1e-5, "attributes": {name: value, ...},
            "sentences": [...], "token_ids": [[...], ...]}   (the last two for text models)
Prints one line per check; exit code 0 when all agree, 1 otherwise.
"""
import json
import sys

import torch


def main(model_path, case_path):
    with open(case_path) as f:
        case = json.load(f)
    m = torch.jit.load(model_path)
    ok = True
    for name, want in case.get("attributes", {}).items():
        got = getattr(m, name)
        good = got == want
        print("attribute %-15s %-40s %s" % (name, str(got)[:40], "ok" if good else "DIFFERS from %r" % (want,)))
        ok = ok and good
    dtype = torch.int64 if case["dtype"] == "int64" else torch.float32
    x = torch.tensor(case["inputs"], dtype=dtype)
    with torch.no_grad():
        probs = m(x).double()
    want = torch.tensor(case["probabilities"], dtype=torch.float64)
    diff = (probs - want).abs().max().item()
    good = probs.shape == want.shape and diff <= case["tolerance"]
    print("probabilities %s, largest difference %.3g (tolerance %g): %s" % (
        tuple(probs.shape), diff, case["tolerance"], "ok" if good else "DIFFER"))
    ok = ok and good
    if "sentences" in case:
        for sentence, ids in zip(case["sentences"], case["token_ids"]):
            got = m.tokenize(sentence)
            good = got == ids
            print("tokenize %-40r %s" % (sentence[:40], "ok" if good else "DIFFERS: %r vs %r" % (got, ids)))
            ok = ok and good
        encoded = m.encode(case["sentences"])
        good = encoded.tolist() == case["token_ids"]
        print("encode: %s" % ("ok" if good else "DIFFERS"))
        ok = ok and good
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
