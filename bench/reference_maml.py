#!/usr/bin/python3
"""Reference MAML meta-iteration in plain PyTorch, the way learn2learn's MAML works.

A functional Conv-4 forward (F.conv2d, F.batch_norm(training=True), F.relu, F.max_pool2d,
F.linear) over a list of tensors, inner steps with torch.autograd.grad(create_graph=True),
no module copies, one backward per task (so one task's graph is alive at a time), Adam.

MAML++ (Antoniou et al. 2019), written the way their code (HowToTrainYourMAMLPytorch) does it:
  --lslr             a learnable learning rate per adapted tensor and inner step
                     (exported perturbed around --inner-lr, so that rows and steps differ)
  --per-step-bn      BatchNorm weights, biases and running statistics per inner step; the
                     BN weights are not adapted in the inner loop (exported perturbed)
  --multi-step-loss  the query loss after every step, weighted by their importance vector
                     at --iteration of --msl-iterations
  --first-order-iterations N   first order while --iteration < N
  --cosine-meta-lr   the meta learning rate of torch's CosineAnnealingLR after --iteration
                     steps of --run-iterations, down to --meta-lr-min

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


def adapted_indices(args):
    """Which of the 18 weights the inner loop adapts (per-step BN weights are not)."""
    return [i for i in range(18) if not (args.per_step_bn and i < 16 and i % 4 in (2, 3))]


def init_params(args, gen):
    """Conv-4 meta-parameters in the order the C++ Conv4 uses: per block conv.w, conv.b,
    bn.w, bn.b; then fc.w, fc.b; then the inner learning rates [adapted tensors, steps]."""
    params = []
    cin = args.channels
    for _ in range(4):
        fan_in = cin * 9
        bound = (6.0 / fan_in) ** 0.5 / 2
        params.append((torch.rand(args.filters, cin, 3, 3, generator=gen) * 2 - 1) * bound)
        params.append(torch.zeros(args.filters))
        params.append(torch.ones(args.filters))
        params.append(torch.zeros(args.filters))
        cin = args.filters
    spatial = args.size
    for _ in range(4):
        spatial //= 2
    features = args.filters * spatial * spatial
    bound = 1.0 / features ** 0.5
    params.append((torch.rand(args.ways, features, generator=gen) * 2 - 1) * bound)
    params.append(torch.zeros(args.ways))
    steps = args.steps
    if args.per_step_bn:
        for b in range(4):
            params[4 * b + 2] = 1 + 0.2 * torch.randn(steps, args.filters, generator=gen)
            params[4 * b + 3] = 0.2 * torch.randn(steps, args.filters, generator=gen)
    if args.lslr:
        rows = len(adapted_indices(args))
        params.append(args.inner_lr * (0.5 + torch.rand(rows, steps, generator=gen)))
    return [p.requires_grad_() for p in params]


def init_stats(args):
    """Per-step running statistics per block: (mean [steps, C], var [steps, C])."""
    if not args.per_step_bn:
        return None
    return [(torch.zeros(args.steps, args.filters), torch.ones(args.steps, args.filters)) for _ in range(4)]


def forward(x, params, args, step=0, stats=None):
    k = min(step, args.steps - 1)
    for b in range(4):
        w, bias, gamma, beta = params[4 * b:4 * b + 4]
        x = F.conv2d(x, w, bias, padding=1)
        if args.per_step_bn:
            mean, var = (stats[b][0][k], stats[b][1][k]) if stats is not None else (None, None)
            x = F.batch_norm(x, mean, var, gamma[k], beta[k], training=True, momentum=0.1)
        else:
            x = F.batch_norm(x, None, None, gamma, beta, training=True)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
    return F.linear(x.flatten(1), params[16], params[17])


def step_loss_weights(args):
    """MAML++'s get_per_step_loss_importance_vector with the epoch counter replaced by the
    iteration; from --msl-iterations on, and without the multi-step loss, the last step only."""
    steps = args.steps
    if not args.multi_step_loss or args.iteration >= args.msl_iterations:
        return [0.0] * (steps - 1) + [1.0]
    weights = [1.0 / steps] * steps
    decay = 1.0 / steps / args.msl_iterations
    minimum = 0.03 / steps
    for i in range(steps - 1):
        weights[i] = max(weights[i] - args.iteration * decay, minimum)
    weights[-1] = min(weights[-1] + args.iteration * (steps - 1) * decay, 1.0 - (steps - 1) * minimum)
    return weights


def first_order_used(args):
    return args.first_order or args.iteration < args.first_order_iterations


def task_objective(params, episode, args, weights, first_order, stats):
    """The weighted query losses after the inner steps, and the last step's query loss."""
    sx, sy, qx, qy = episode
    adapted = adapted_indices(args)
    lrs = params[18] if args.lslr else None
    fast = list(params[:18])
    objective, last = 0.0, None
    for step in range(args.steps):
        loss = F.cross_entropy(forward(sx, fast, args, step, stats), sy)
        grads = torch.autograd.grad(loss, [fast[i] for i in adapted], create_graph=not first_order)
        # First order: the gradients are constants, so the update is a shift of the weights
        # and the meta-gradient is the query gradient at the adapted weights.
        new = list(fast)
        for row, (i, g) in enumerate(zip(adapted, grads)):
            lr = lrs[row, step] if lrs is not None else args.inner_lr
            new[i] = fast[i] - lr * g
        fast = new
        if weights[step] != 0:
            last = F.cross_entropy(forward(qx, fast, args, step, stats), qy)
            objective = objective + weights[step] * last
    return objective, last


def meta_gradient(params, episodes, args, stats=None):
    """Accumulates d(mean weighted query loss)/d(params) into .grad, one task at a time.
    Returns the mean query loss after the last step."""
    for p in params:
        p.grad = None
    weights = step_loss_weights(args)
    total = 0.0
    for ep in episodes:
        objective, last = task_objective(params, ep, args, weights, first_order_used(args), stats)
        (objective / len(episodes)).backward()
        total += last.item() / len(episodes)
    return total


def cosine_meta_lr(args):
    """torch's own CosineAnnealingLR, stepped --iteration times."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([p], lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.run_iterations, eta_min=args.meta_lr_min)
    for _ in range(args.iteration):
        opt.step()
        sched.step()
    return opt.param_groups[0]["lr"]


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
    params = init_params(args, gen)
    episodes = make_episodes(args, gen)
    stats = init_stats(args)
    opt = torch.optim.Adam(params, lr=1e-3)
    times = []
    for i in range(args.warmup + args.iters):
        t0 = time.perf_counter()
        meta_gradient(params, episodes, args, stats)
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
    params = init_params(args, gen)
    episodes = make_episodes(args, gen)
    stats = init_stats(args)
    initial = [p.detach().clone() for p in params]
    loss = meta_gradient(params, episodes, args, stats)
    tensors = [("param%d" % i, p) for i, p in enumerate(initial)]
    for t, (sx, sy, qx, qy) in enumerate(episodes):
        tensors += [("sx%d" % t, sx), ("sy%d" % t, sy), ("qx%d" % t, qx), ("qy%d" % t, qy)]
    tensors += [("grad%d" % i, p.grad) for i, p in enumerate(params)]
    if stats is not None:
        for b, (mean, var) in enumerate(stats):
            tensors += [("rm%d" % b, mean), ("rv%d" % b, var)]
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
                "lslr": args.lslr, "per_step_bn": args.per_step_bn,
                "multi_step_loss": args.multi_step_loss, "msl_iterations": args.msl_iterations,
                "first_order_iterations": args.first_order_iterations,
                "cosine_meta_lr": args.cosine_meta_lr, "meta_lr_min": args.meta_lr_min,
                "run_iterations": args.run_iterations, "iteration": args.iteration,
                "step_loss_weights": step_loss_weights(args), "first_order_used": first_order_used(args),
                "meta_lr": cosine_meta_lr(args) if args.cosine_meta_lr else 1e-3,
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
    ap.add_argument("--lslr", action="store_true")
    ap.add_argument("--per-step-bn", action="store_true")
    ap.add_argument("--multi-step-loss", action="store_true")
    ap.add_argument("--msl-iterations", type=int, default=1000)
    ap.add_argument("--first-order-iterations", type=int, default=0)
    ap.add_argument("--cosine-meta-lr", action="store_true")
    ap.add_argument("--meta-lr-min", type=float, default=1e-5)
    ap.add_argument("--run-iterations", type=int, default=1000)
    ap.add_argument("--iteration", type=int, default=0)
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
