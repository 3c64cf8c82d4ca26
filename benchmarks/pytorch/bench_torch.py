#!/usr/bin/env python3
"""PyTorch peer of Lamina's ModelBenchJob: the same models, batch sizes, optimizers and MNIST files.

Usage (Debian's PyTorch lives in /usr/bin/python3; pin one thread for a fair peer figure):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \\
      /usr/bin/python3 benchmarks/pytorch/bench_torch.py --model mlp --threads 1

With --rounds R the measured steps run as R blocks (their times in block_seconds); with --go and
--done (named pipes held by a coordinator, see benchmarks/run-peer-comparison.sh) the warm-up and
each block start when a byte arrives on go and end by writing one to done, so that contenders in
separate processes take turns.

Prints a progress line, then one JSON line with the keys ModelBenchJob prints:
samples_per_second, gflops (from the same analytic FLOP count), allocated_bytes_per_step (null:
PyTorch does not expose it), threads, batch, model.
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def cache_dir():
    return os.environ.get("LAMINA_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "lamina")


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist(flat):
    d = os.path.join(cache_dir(), "mnist")
    images = read_idx(os.path.join(d, "train-images-idx3-ubyte"))
    labels = read_idx(os.path.join(d, "train-labels-idx1-ubyte"))
    # pixel / 255, as Lamina's featurizer does; converted once, like ModelBenchJob.
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255.0))
    x = x.reshape(-1, 784) if flat else x.reshape(-1, 1, 28, 28)
    return x, torch.from_numpy(labels.astype(np.int64))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 256), nn.Linear(256, 128), nn.Linear(128, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(6, 16, 5)
        self.f1, self.f2, self.f3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.f3(F.relu(self.f2(F.relu(self.f1(x.flatten(1))))))


class Block(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ff1, self.ff2 = nn.Linear(d, ffn), nn.Linear(ffn, d)

    def forward(self, x, mask):
        h = self.n1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.ff2(F.gelu(self.ff1(self.n2(x))))


class CharTransformer(nn.Module):
    """vocab 128, d_model 128, 4 heads, FFN 512, 2 pre-norm layers, learned positions, seq 64."""

    def __init__(self, vocab=128, d=128, heads=4, ffn=512, layers=2, seq=64):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(seq, d)
        self.blocks = nn.ModuleList(Block(d, heads, ffn) for _ in range(layers))
        self.norm, self.head = nn.LayerNorm(d), nn.Linear(d, vocab)
        self.register_buffer("mask", torch.triu(torch.full((seq, seq), float("-inf")), 1))
        self.register_buffer("positions", torch.arange(seq))

    def forward(self, x):
        h = self.tok(x) + self.pos(self.positions)
        for b in self.blocks:
            h = b(h, self.mask)
        return self.head(self.norm(h))


def linear_flops(sizes, first_needs_input_grad=False):
    """2 * multiply-adds of forward, weight gradient and (except the first layer) input gradient."""
    total = 0
    for i, (fan_in, fan_out) in enumerate(sizes):
        total += 2 * fan_in * fan_out * (3 if i > 0 or first_needs_input_grad else 2)
    return total


def flops_per_sample(model):
    if model == "mlp":
        return linear_flops([(784, 256), (256, 128), (128, 10)])
    if model == "lenet":
        # Each conv as a product: output positions x filters x (in channels * 25).
        return linear_flops([(25, 28 * 28 * 6), (150, 10 * 10 * 16), (400, 120), (120, 84), (84, 10)])
    seq, d, ffn, vocab, layers = 64, 128, 512, 128, 2
    per_token = layers * (4 * d * d + 2 * d * ffn + 2 * seq * d) + d * vocab
    return 3 * 2 * per_token * seq


def text_tokens(path, seed):
    if path:
        with open(path, "rb") as f:
            return torch.from_numpy(np.frombuffer(f.read(), dtype=np.uint8).astype(np.int64) & 127), "file:" + path
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 128, (1 << 20,), generator=g), "random-tokens"


def setup(args):
    if args.model == "transformer":
        net = CharTransformer()
        tokens, source = text_tokens(args.text, args.seed)
        opt = torch.optim.AdamW(net.parameters(), lr=3e-4)
        seq = 64

        def batches():
            i = 0
            while True:
                if i + args.batch * (seq + 1) > tokens.numel():
                    i = 0
                chunk = tokens[i:i + args.batch * (seq + 1)].view(args.batch, seq + 1)
                i += args.batch * (seq + 1)
                yield chunk[:, :-1], chunk[:, 1:]

        def loss_fn(out, y):
            return F.cross_entropy(out.reshape(-1, 128), y.reshape(-1))
        return net, opt, batches(), loss_fn, source
    net = Mlp() if args.model == "mlp" else LeNet()
    x, y = mnist(args.model == "mlp")
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)

    def batches():
        i = 0
        while True:
            if i + args.batch > x.shape[0]:
                i = 0
            yield x[i:i + args.batch], y[i:i + args.batch]
            i += args.batch
    return net, opt, batches(), F.cross_entropy, "mnist"


def train(net, opt, batches, loss_fn, steps):
    loss = None
    for _ in range(steps):
        xb, yb = next(batches)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(xb), yb)
        loss.backward()
        opt.step()
    return float(loss)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="mlp", choices=["mlp", "lenet", "transformer"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=500)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--text", help="transformer: a text file for tokens (default: seeded random tokens)")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--go", help="named pipe: a byte starts the warm-up and each block")
    p.add_argument("--done", help="named pipe: a byte is written after the warm-up and each block")
    args = p.parse_args()
    if args.rounds < 1 or args.rounds > args.steps:
        p.error(f"--rounds {args.rounds} (expected: 1..--steps, {args.steps})")
    if (args.go is None) != (args.done is None):
        p.error("--go and --done: both named pipes, or neither")
    if args.batch is None:
        args.batch = 32 if args.model == "transformer" else 64
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    net, opt, batches, loss_fn, source = setup(args)
    go = open(args.go, "rb", buffering=0) if args.go else None
    done = open(args.done, "wb", buffering=0) if args.done else None

    def await_turn():
        if go is not None and not go.read(1):
            sys.exit("--go pipe closed before this contender's turn (the coordinator stopped)")

    def pass_turn():
        if done is not None:
            done.write(b".")

    await_turn()
    first = train(net, opt, batches, loss_fn, args.warmup) if args.warmup else float("nan")
    pass_turn()
    print(f"bench_torch {args.model}: {args.threads} threads, batch {args.batch}, torch {torch.__version__}; "
          f"warm-up {args.warmup} steps, loss {first:.4f}", file=sys.stderr)
    blocks = []
    loss = float("nan")
    for r in range(args.rounds):
        n = args.steps // args.rounds + (1 if r < args.steps % args.rounds else 0)
        await_turn()
        start = time.perf_counter()
        loss = train(net, opt, batches, loss_fn, n)
        blocks.append(time.perf_counter() - start)
        pass_turn()
    seconds = sum(blocks)
    sps = args.steps * args.batch / seconds
    flops = flops_per_sample(args.model)
    print(f"bench_torch {args.model}: {args.steps} steps in {seconds:.3f} s, loss {loss:.4f}, {sps:.0f} samples/s",
          file=sys.stderr)
    report = {"model": args.model, "threads": args.threads, "batch": args.batch, "steps": args.steps,
              "samples_per_second": round(sps, 1), "gflops": round(sps * flops / 1e9, 2),
              "flops_per_sample": flops, "allocated_bytes_per_step": None, "loss": round(loss, 4),
              "data": source, "torch": torch.__version__}
    if args.model == "transformer":
        report["tokens_per_second"] = round(sps * 64, 1)
    if args.rounds > 1:
        report["block_seconds"] = [round(b, 6) for b in blocks]
    print(json.dumps(report))


if __name__ == "__main__":
    main()
