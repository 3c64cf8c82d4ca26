#!/usr/bin/python3
"""Writes PyTorch golden fixtures for the engine's convolutional ops.

Each fixture engine/src/test/resources/golden/cnn/<name>.json holds, for one op call:
  attrs     the op's hyper-parameters
  inputs    {name: {shape, data}}: float32 values (x, weight, bias, ...)
  upstream  {shape, data}: a fixed random gradient of the output
  output    {shape, data}: the op's output
  grads     {name: {shape, data}}: d sum(output * upstream) / d input
Reference values are computed in float64 from the float32 inputs (the Java side computes in float32).

Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 engine/src/test/python/golden_cnn.py  (Debian's python3-torch 1.13)
"""
import json
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "golden", "cnn")
GEN = torch.Generator().manual_seed(20240601)


def rand(*shape):
    """Uniform [-1, 1) values rounded to float32, held as float64."""
    return (torch.rand(*shape, generator=GEN, dtype=torch.float64) * 2 - 1).float().double()


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]}


def write(name, attrs, inputs, fn, grad_names=None):
    """Runs fn(**inputs), backpropagates a random upstream gradient and writes the fixture."""
    leaves = {k: v.clone().requires_grad_(grad_names is None or k in grad_names) for k, v in inputs.items()}
    out = fn(**leaves)
    up = rand(*out.shape)
    (out * up).sum().backward()
    fixture = {
        "op": name,
        "attrs": attrs,
        "inputs": {k: tensor_json(v) for k, v in inputs.items()},
        "upstream": tensor_json(up),
        "output": tensor_json(out),
        "grads": {k: tensor_json(v.grad) for k, v in leaves.items() if v.grad is not None},
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))


def conv(name, b, c, h, w, o, k, stride=1, padding=0, dilation=1, groups=1, bias=True):
    inputs = {"x": rand(b, c, h, w), "weight": rand(o, c // groups, k, k)}
    if bias:
        inputs["bias"] = rand(o)
    attrs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    write(name, attrs, inputs, lambda x, weight, bias=None: F.conv2d(x, weight, bias, stride, padding, dilation, groups))


def main():
    os.makedirs(OUT, exist_ok=True)
    conv("conv2d_basic", 2, 3, 6, 6, 4, 3)
    conv("conv2d_stride2_pad1", 2, 3, 7, 6, 4, 3, stride=2, padding=1)
    conv("conv2d_dilation2", 2, 2, 8, 7, 3, 3, dilation=2, padding=1, bias=False)
    conv("conv2d_groups2", 2, 4, 5, 5, 6, 3, padding=1, groups=2)
    conv("conv2d_depthwise", 2, 3, 6, 5, 3, 3, stride=2, padding=1, groups=3)
    conv("conv2d_1x1", 3, 5, 4, 4, 2, 1, bias=False)

    for name, k, s, p in [("maxpool2d_k2s2", 2, 2, 0), ("maxpool2d_k3s2p1", 3, 2, 1)]:
        write(name, {"kernel": k, "stride": s, "padding": p}, {"x": rand(2, 3, 7, 6)},
              lambda x: F.max_pool2d(x, k, s, p))
    for name, k, s, p in [("avgpool2d_k2s2", 2, 2, 0), ("avgpool2d_k3s2p1", 3, 2, 1)]:
        write(name, {"kernel": k, "stride": s, "padding": p}, {"x": rand(2, 3, 7, 6)},
              lambda x: F.avg_pool2d(x, k, s, p, count_include_pad=True))
    write("globalavgpool", {}, {"x": rand(2, 3, 4, 5)}, lambda x: F.adaptive_avg_pool2d(x, 1).flatten(1))
    write("upsample_nearest2", {"scale": 2}, {"x": rand(2, 3, 3, 4)},
          lambda x: F.interpolate(x, scale_factor=2, mode="nearest"))

    eps = 1e-5
    for name, shape in [("batchnorm2d_train", (4, 3, 5, 5)), ("batchnorm1d_train", (8, 5))]:
        c = shape[1]
        write(name, {"eps": eps}, {"x": rand(*shape) * 2 + 0.5, "weight": rand(c) + 1.5, "bias": rand(c)},
              lambda x, weight, bias: F.batch_norm(x, None, None, weight, bias, True, 0.0, eps))
    write("batchnorm2d_eval", {"eps": eps},
          {"x": rand(2, 3, 4, 4), "weight": rand(3) + 1.5, "bias": rand(3), "running_mean": rand(3),
           "running_var": rand(3) + 1.2},
          lambda x, weight, bias, running_mean, running_var:
          F.batch_norm(x, running_mean, running_var, weight, bias, False, 0.0, eps), grad_names={"x"})

    y, t = rand(3, 2, 4, 4), rand(3, 2, 4, 4)
    write("loss_mse", {}, {"y": y, "t": t}, lambda y, t: F.mse_loss(y, t).reshape(1), grad_names={"y"})
    write("loss_l1", {}, {"y": y, "t": t}, lambda y, t: F.l1_loss(y, t).reshape(1), grad_names={"y"})
    write("loss_bce_with_logits", {}, {"y": y * 4, "t": (t + 1) / 2},
          lambda y, t: F.binary_cross_entropy_with_logits(y, t).reshape(1), grad_names={"y"})

    # Appended last so the fixtures above keep their random values.
    for name, groups in [("groupnorm_g2", 2), ("groupnorm_g1", 1)]:
        write(name, {"groups": groups, "eps": eps},
              {"x": rand(2, 4, 3, 3) * 2 + 0.3, "weight": rand(4) + 1.5, "bias": rand(4)},
              lambda x, weight, bias: F.group_norm(x, groups, weight, bias, eps))


if __name__ == "__main__":
    main()
