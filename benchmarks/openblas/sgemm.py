#!/usr/bin/env python3
"""OpenBLAS's single-thread SGEMM on GemmBenchmark's shapes, for a side-by-side figure.

Shapes are <op>_<M>x<N>x<K> as in GemmBenchmark: C[M,N] = op(A)[M,K] op(B)[K,N], NN = A B, TN = A^T B
(A stored [K,M]), NT = A B^T (B stored [N,K]). numpy's matmul on transposed views calls sgemm with
the transpose flags, as Lamina's kernels are called. Run it right before or after the JMH run:

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
      /usr/bin/python3 benchmarks/openblas/sgemm.py [--seconds 2] [SHAPE ...]

(this machine sets OPENBLAS_CORETYPE=Haswell in the environment, which halves OpenBLAS on Zen 5).
Prints GFLOP/s per shape (the median of 5 timed batches of calls) and one JSON line.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np

SHAPES = ["NN_512x512x512", "NN_1024x1024x1024", "NT_64x256x784", "NT_64x128x256", "TN_256x784x64",
          "TN_128x256x64", "NN_64x256x128", "NT_2048x384x128", "NT_2048x512x128", "NT_2048x128x512",
          "TN_512x128x2048", "TN_128x512x2048", "NN_2048x128x512", "NN_2048x512x128"]


def operands(shape, rng):
    op, dims = shape.split("_")
    m, n, k = (int(d) for d in dims.split("x"))
    a = rng.standard_normal((k, m) if op[0] == "T" else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if op[1] == "T" else (k, n), dtype=np.float32)
    return (a.T if op[0] == "T" else a), (b.T if op[1] == "T" else b), np.empty((m, n), np.float32), 2.0 * m * n * k


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=2.0, help="time per shape")
    p.add_argument("shapes", nargs="*", default=SHAPES)
    args = p.parse_args()
    if os.environ.get("OPENBLAS_CORETYPE"):
        print(f"warning: OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} is set (unset it for the CPU's own kernel)")
    rng = np.random.default_rng(1)
    report = {}
    for shape in args.shapes:
        a, b, c, flop = operands(shape, rng)
        calls = 1
        while True:  # calls per batch: about a tenth of the time per shape
            t = time.perf_counter()
            for _ in range(calls):
                np.matmul(a, b, out=c)
            if time.perf_counter() - t > args.seconds / 10:
                break
            calls *= 2
        rates = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(calls):
                np.matmul(a, b, out=c)
            rates.append(flop * calls / (time.perf_counter() - t) / 1e9)
        report[shape] = round(statistics.median(rates), 1)
        print(f"{shape:<20}{report[shape]:>8.1f} GFLOP/s  ({100 * report[shape] / 224:.0f}% of 224)")
    print(json.dumps({"openblas_sgemm_gflops": report, "numpy": np.__version__}))


if __name__ == "__main__":
    main()
