#!/usr/bin/python3
"""Reference MAML meta-iteration in plain PyTorch, the way learn2learn's MAML works.

A functional Conv-4 forward (F.conv2d, F.batch_norm(training=True), F.relu, F.max_pool2d,
F.linear) over a list of tensors, inner steps with torch.autograd.grad(create_graph=True),
no module copies, one backward per task (so one task's graph is alive at a time), Adam.

Modes:
  time    time meta-iterations on fixed random episodes; prints one JSON line
          {"impl": "reference", "median_s": ..., "times_s": [...], "peak_rss_kb": ...}
  export  write initial weights, a meta-batch of episodes and this implementation's
          meta-gradient to a raw float32/int64 file plus a JSON manifest, for the C++ side
          (bench_maml --check) to compare against.

Run with Debian's interpreter (/usr/bin/python3), which has python3-torch.
"""
import argparse
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def init_params(channels, filters, ways, size, gen):
    """Conv-4 meta-parameters in the order the C++ Conv4 uses: per block conv.w, conv.b,
    bn.w, bn.b; then fc.w, fc.b."""
    params = []
    cin = channels
    for _ in range(4):
        fan_in = cin * 9
        bound = (6.0 / fan_in) ** 0.5 / 2
        params.append((torch.rand(filters, cin, 3, 3, generator=gen) * 2 - 1) * bound)
        params.append(torch.zeros(filters))
        params.append(torch.ones(filters))
        params.append(torch.zeros(filters))
        cin = filters
    spatial = size
    for _ in range(4):
        spatial //= 2
    features = filters * spatial * spatial
    bound = 1.0 / features ** 0.5
    params.append((torch.rand(ways, features, generator=gen) * 2 - 1) * bound)
    params.append(torch.zeros(ways))
    return [p.requires_grad_() for p in params]


def forward(x, params):
    for b in range(4):
        w, bias, gamma, beta = params[4 * b:4 * b + 4]
        x = F.conv2d(x, w, bias, padding=1)
        x = F.batch_norm(x, None, None, gamma, beta, training=True)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
    return F.linear(x.flatten(1), params[-2], params[-1])


def adapt_and_query_loss(params, episode, steps, inner_lr, first_order):
    sx, sy, qx, qy = episode
    fast = params
    for _ in range(steps):
        loss = F.cross_entropy(forward(sx, fast), sy)
        grads = torch.autograd.grad(loss, fast, create_graph=not first_order)
        # First order: the gradients are constants, so the update is a shift of the weights
        # and the meta-gradient is the query gradient at the adapted weights.
        fast = [w - inner_lr * g for w, g in zip(fast, grads)]
    return F.cross_entropy(forward(qx, fast), qy)


def meta_gradient(params, episodes, steps, inner_lr, first_order):
    """Accumulates d(mean query loss)/d(params) into .grad, one task at a time."""
    for p in params:
        p.grad = None
    total = 0.0
    for ep in episodes:
        loss = adapt_and_query_loss(params, ep, steps, inner_lr, first_order) / len(episodes)
        loss.backward()
        total += loss.item()
    return total


def make_episodes(args, gen):
    episodes = []
    n_s, n_q = args.ways * args.shots, args.ways * args.queries
    shape = (args.channels, args.size, args.size)
    for _ in range(args.meta_batch):
        sx = torch.rand((n_s,) + shape, generator=gen)
        qx = torch.rand((n_q,) + shape, generator=gen)
        sy = torch.arange(args.ways).repeat_interleave(args.shots)
        qy = torch.arange(args.ways).repeat_interleave(args.queries)
        if args.channels_last:
            sx = sx.contiguous(memory_format=torch.channels_last)
            qx = qx.contiguous(memory_format=torch.channels_last)
        episodes.append((sx, sy, qx, qy))
    return episodes


def run_time(args):
    gen = torch.Generator().manual_seed(args.seed)
    params = init_params(args.channels, args.filters, args.ways, args.size, gen)
    episodes = make_episodes(args, gen)
    opt = torch.optim.Adam(params, lr=1e-3)
    times = []
    for i in range(args.warmup + args.iters):
        t0 = time.perf_counter()
        meta_gradient(params, episodes, args.steps, args.inner_lr, args.first_order)
        opt.step()
        dt = time.perf_counter() - t0
        if i >= args.warmup:
            times.append(dt)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"impl": "reference", "median_s": statistics.median(times),
                      "times_s": times, "peak_rss_kb": peak, "threads": torch.get_num_threads()}))


def run_export(args):
    """Writes <out>.bin (tensors back to back) and <out>.json (name, dtype, shape, offset)."""
    gen = torch.Generator().manual_seed(args.seed)
    params = init_params(args.channels, args.filters, args.ways, args.size, gen)
    episodes = make_episodes(args, gen)
    loss = meta_gradient(params, episodes, args.steps, args.inner_lr, args.first_order)
    tensors = [("param%d" % i, p.detach()) for i, p in enumerate(params)]
    for t, (sx, sy, qx, qy) in enumerate(episodes):
        tensors += [("sx%d" % t, sx), ("sy%d" % t, sy), ("qx%d" % t, qx), ("qy%d" % t, qy)]
    tensors += [("grad%d" % i, p.grad) for i, p in enumerate(params)]
    entries, offset = [], 0
    with open(args.out + ".bin", "wb") as f:
        for name, t in tensors:
            data = t.contiguous().numpy().tobytes()
            entries.append({"name": name, "dtype": str(t.dtype).replace("torch.", ""),
                            "shape": list(t.shape), "offset": offset})
            f.write(data)
            offset += len(data)
    manifest = {"ways": args.ways, "shots": args.shots, "queries": args.queries,
                "meta_batch": args.meta_batch, "steps": args.steps, "inner_lr": args.inner_lr,
                "first_order": args.first_order, "filters": args.filters,
                "channels": args.channels, "size": args.size, "params": len(params),
                "loss": loss, "tensors": entries}
    with open(args.out + ".json", "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps({"impl": "reference", "exported": args.out, "loss": loss}))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("mode", choices=["time", "export"])
    ap.add_argument("--ways", type=int, default=5)
    ap.add_argument("--shots", type=int, default=5)
    ap.add_argument("--queries", type=int, default=15)
    ap.add_argument("--meta-batch", type=int, default=4)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--inner-lr", type=float, default=0.01)
    ap.add_argument("--first-order", action="store_true")
    ap.add_argument("--filters", type=int, default=32)
    ap.add_argument("--channels", type=int, default=3)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="maml_check")
    ap.add_argument("--channels-last", action="store_true",
                    help="ablation only: images in channels-last memory format")
    ap.add_argument("--no-mkldnn", action="store_true",
                    help="ablation only: torch.backends.mkldnn.enabled = False")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.backends.mkldnn.enabled = not args.no_mkldnn
    if args.mode == "time":
        run_time(args)
    else:
        run_export(args)


if __name__ == "__main__":
    main(sys.argv[1:])
