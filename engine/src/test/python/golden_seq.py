"""Golden fixtures for the engine's sequence ops, from PyTorch (Debian python3-torch 1.13).

Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 engine/src/test/python/golden_seq.py
Writes engine/src/test/resources/golden/seq/<case>.json, each with
  params:   differentiable tensors (inputs included) {name: {shape, data}}
  inputs:   non-differentiable tensors (token ids, masks, targets, timesteps)
  attrs:    scalar settings of the case
  output:   the op's output
  upstream: a fixed random gradient of the output (loss = sum(output * upstream))
  grads:    d loss / d each param
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "golden", "seq")


def t(x):
    x = x.detach().float()
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def write(name, params, inputs, attrs, fn):
    ps = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    out = fn(ps, inputs)
    up = torch.randn(out.shape) if out.numel() > 1 else torch.ones(out.shape)
    (out * up).sum().backward()
    doc = {
        "attrs": attrs,
        "params": {k: t(v) for k, v in ps.items()},
        "inputs": {k: t(v) for k, v in inputs.items()},
        "output": t(out),
        "upstream": t(up),
        "grads": {k: t(v.grad if v.grad is not None else torch.zeros_like(v)) for k, v in ps.items()},
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f)


def activations():
    x = torch.randn(3, 4, 5) * 2
    write("tanh", {"x": x}, {}, {}, lambda p, i: torch.tanh(p["x"]))
    write("sigmoid", {"x": x}, {}, {}, lambda p, i: torch.sigmoid(p["x"]))
    write("gelu", {"x": x}, {}, {}, lambda p, i: F.gelu(p["x"]))  # exact erf form (PyTorch default)
    write("silu", {"x": x}, {}, {}, lambda p, i: F.silu(p["x"]))
    write("leaky_relu", {"x": x}, {}, {"slope": 0.1}, lambda p, i: F.leaky_relu(p["x"], 0.1))
    write("softmax", {"x": x}, {}, {}, lambda p, i: torch.softmax(p["x"], dim=-1))


def embeddings():
    ids = torch.tensor([[0, 3, 3, 6, 1], [2, 2, 2, 5, 0]], dtype=torch.float32)
    table = torch.randn(7, 4)
    write("embedding", {"weight": table}, {"ids": ids}, {},
          lambda p, i: F.embedding(i["ids"].long(), p["weight"]))
    length, c = 6, 8
    pos = torch.arange(length, dtype=torch.float32)[:, None]
    w = torch.exp(-math.log(10000.0) * torch.arange(0, c, 2, dtype=torch.float32) / c)
    pe = torch.zeros(length, c)
    pe[:, 0::2] = torch.sin(pos * w)
    pe[:, 1::2] = torch.cos(pos * w)
    x = torch.randn(2, length, c)
    write("sinusoid_positions", {"x": x}, {}, {}, lambda p, i: p["x"] + pe)
    steps = torch.tensor([0.0, 1.0, 10.0, 500.0, 999.0])
    half = 8
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = steps[:, None] * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    write("time_embedding", {"bias": torch.zeros(2 * half)}, {"t": steps}, {"channels": 2 * half},
          lambda p, i: emb + p["bias"])


def layer_norm():
    x = torch.randn(2, 3, 8) * 3 + 1
    write("layernorm", {"x": x, "weight": torch.randn(8), "bias": torch.randn(8)}, {}, {"eps": 1e-5},
          lambda p, i: F.layer_norm(p["x"], (8,), p["weight"], p["bias"], 1e-5))


def attention_case(name, causal, masked):
    b, length, c, heads = 2, 5, 8, 2
    mha = torch.nn.MultiheadAttention(c, heads, batch_first=True)
    mask = torch.ones(b, length)
    if masked:
        mask[1, 3:] = 0
    params = {"x": torch.randn(b, length, c), "in_proj_weight": mha.in_proj_weight, "in_proj_bias": torch.randn(3 * c) * 0.1,
              "out_proj.weight": mha.out_proj.weight, "out_proj.bias": torch.randn(c) * 0.1}
    causal_mask = torch.triu(torch.ones(length, length, dtype=torch.bool), 1) if causal else None

    def fn(p, i):
        y, _ = F.multi_head_attention_forward(
            p["x"].transpose(0, 1), p["x"].transpose(0, 1), p["x"].transpose(0, 1), c, heads,
            p["in_proj_weight"], p["in_proj_bias"], None, None, False, 0.0,
            p["out_proj.weight"], p["out_proj.bias"], training=False,
            key_padding_mask=(i["mask"] == 0) if masked else None, need_weights=False, attn_mask=causal_mask)
        return y.transpose(0, 1)
    write(name, params, {"mask": mask}, {"heads": heads, "causal": causal, "masked": masked}, fn)


def transformer_block():
    b, length, c, heads, hidden = 2, 6, 8, 2, 32
    params = {"x": torch.randn(b, length, c),
              "ln_1.weight": 1 + 0.1 * torch.randn(c), "ln_1.bias": 0.1 * torch.randn(c),
              "attn.in_proj_weight": torch.randn(3 * c, c) * 0.3, "attn.in_proj_bias": torch.randn(3 * c) * 0.1,
              "attn.out_proj.weight": torch.randn(c, c) * 0.3, "attn.out_proj.bias": torch.randn(c) * 0.1,
              "ln_2.weight": 1 + 0.1 * torch.randn(c), "ln_2.bias": 0.1 * torch.randn(c),
              "mlp.fc.weight": torch.randn(hidden, c) * 0.3, "mlp.fc.bias": torch.randn(hidden) * 0.1,
              "mlp.proj.weight": torch.randn(c, hidden) * 0.2, "mlp.proj.bias": torch.randn(c) * 0.1}
    causal_mask = torch.triu(torch.ones(length, length, dtype=torch.bool), 1)

    def fn(p, i):
        x = p["x"]
        n1 = F.layer_norm(x, (c,), p["ln_1.weight"], p["ln_1.bias"], 1e-5).transpose(0, 1)
        a, _ = F.multi_head_attention_forward(
            n1, n1, n1, c, heads, p["attn.in_proj_weight"], p["attn.in_proj_bias"], None, None, False, 0.0,
            p["attn.out_proj.weight"], p["attn.out_proj.bias"], training=False, need_weights=False,
            attn_mask=causal_mask)
        h = x + a.transpose(0, 1)
        n2 = F.layer_norm(h, (c,), p["ln_2.weight"], p["ln_2.bias"], 1e-5)
        m = F.linear(F.gelu(F.linear(n2, p["mlp.fc.weight"], p["mlp.fc.bias"])), p["mlp.proj.weight"], p["mlp.proj.bias"])
        return h + m
    write("transformer_block", params, {}, {"heads": heads, "causal": True, "mlpRatio": 4}, fn)


def sequence_loss():
    logits = torch.randn(2, 5, 7) * 2
    targets = torch.tensor([[1, 6, -1, 0, 3], [2, -1, -1, 4, 5]], dtype=torch.float32)
    for name, smoothing in (("seq_ce", 0.0), ("seq_ce_smooth", 0.1)):
        write(name, {"logits": logits}, {"targets": targets}, {"ignore_index": -1, "label_smoothing": smoothing},
              lambda p, i, s=smoothing: F.cross_entropy(p["logits"].reshape(-1, 7), i["targets"].long().reshape(-1),
                                                        ignore_index=-1, label_smoothing=s).reshape(1))


def recurrent(kind):
    b, length, inputs, hidden, layers = 2, 5, 3, 4, 2
    cls = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
    rnn = cls(inputs, hidden, num_layers=layers, batch_first=True)
    params = {"x": torch.randn(b, length, inputs)}
    for n, v in rnn.named_parameters():
        params[n] = v.detach()
    names = [n for n, _ in rnn.named_parameters()]

    def fn(p, i, last):
        for n in names:
            setattr(rnn, n, torch.nn.Parameter(p[n]))
        # Re-bind so autograd reaches p[n]: use the functional form through _VF via the module's flat weights.
        rnn._flat_weights = [p[n] for n in names]
        y, _ = rnn(p["x"])
        return y[:, -1] if last else y
    write(kind, params, {}, {"hidden": hidden, "layers": layers, "sequence": True}, lambda p, i: fn(p, i, False))
    write(kind + "_last", params, {}, {"hidden": hidden, "layers": layers, "sequence": False},
          lambda p, i: fn(p, i, True))


def shape_ops():
    x = torch.randn(2, 3, 4)
    write("permute", {"x": x}, {}, {"perm": [2, 0, 1]}, lambda p, i: p["x"].permute(2, 0, 1))
    write("slice", {"x": x}, {}, {"dim": 1, "start": 1, "length": 2}, lambda p, i: p["x"].narrow(1, 1, 2))
    write("concat", {"a": x, "b": torch.randn(2, 3, 2)}, {}, {"dim": 2}, lambda p, i: torch.cat([p["a"], p["b"]], 2))
    write("reshape", {"x": x}, {}, {"shape": [6, 4]}, lambda p, i: p["x"].reshape(6, 4))


def core_ops():
    x = torch.randn(4, 6)
    write("linear", {"x": x, "weight": torch.randn(5, 6), "bias": torch.randn(5)}, {}, {},
          lambda p, i: F.linear(p["x"], p["weight"], p["bias"]))
    write("relu", {"x": torch.randn(3, 7)}, {}, {}, lambda p, i: F.relu(p["x"]))
    write("log_softmax", {"x": torch.randn(3, 7)}, {}, {}, lambda p, i: F.log_softmax(p["x"], dim=1))
    labels = torch.tensor([0.0, 4.0, 2.0, 4.0])
    write("softmax_cross_entropy", {"logits": torch.randn(4, 5)}, {"labels": labels}, {},
          lambda p, i: F.cross_entropy(p["logits"], i["labels"].long()).reshape(1))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    activations()
    embeddings()
    layer_norm()
    attention_case("attention", False, False)
    attention_case("attention_causal_masked", True, True)
    transformer_block()
    sequence_loss()
    recurrent("lstm")
    recurrent("gru")
    shape_ops()  # appended in order, so the fixtures above keep their random values
    core_ops()
