#!/usr/bin/python3
# Writes layer_cases/: small layers with their input, filters, bias and the
# output torch computes for them in float64 (stored as float32 .npy, rounded
# once), and cases.json, the wino-gen flags of each. test_layer_cases.cpp runs
# every case on every variant against these outputs: bias and each
# activation, non-square filters, a 1D layer, every --pad form, tiles that do
# not divide the output, N > 1. The cases without an epilogue also hold
# backward-data: an output gradient dy and the input gradient dx that torch's
# autograd gives for it (test_layer_cases.cpp runs `run --pass backward-data`),
# with one case padded past R - 1; and backward-filter: the filters' gradient
# dw that autograd gives for the same dy (`run --pass backward-filter`).
# Needs Debian's python3-torch: /usr/bin/python3 make_layer_cases.py
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layer_cases")
generator = torch.Generator().manual_seed(16)
# The gradients' own stream: the forward cases' tensors stay as they were.
gradients = torch.Generator().manual_seed(61)


def uniform(*shape, stream=generator):
    return (torch.rand(*shape, generator=stream, dtype=torch.float64) * 2 - 1).float()


def same(size):
    # ONNX auto_pad=SAME_UPPER at stride 1: the odd one at the end.
    return (size - 1) // 2, size // 2


def activate(y, activation):
    name, _, args = activation.partition(":")
    if name == "none":
        return y
    if name == "relu":
        return torch.relu(y)
    if name == "relu6":
        return torch.clamp(y, 0, 6)
    if name == "leaky_relu":
        return F.leaky_relu(y, float(args or 0.01))
    if name == "clip":
        low, high = (float(v) for v in args.split(","))
        return torch.clamp(y, low, high)
    raise ValueError(activation)


def case(name, n, c, h, w, k, r, s, pad, activation="none", bias=False, one_d=False):
    """pad: (top, bottom, left, right) and how --pad writes it."""
    (top, bottom, left, right), pad_text = pad
    x = uniform(n, c, w) if one_d else uniform(n, c, h, w)
    weights = uniform(k, c, s) if one_d else uniform(k, c, r, s)
    b = uniform(k) if bias else None
    x4 = x.double().reshape(n, c, 1 if one_d else h, w).requires_grad_()
    w4 = weights.double().reshape(k, c, 1 if one_d else r, s).requires_grad_()
    y = F.conv2d(F.pad(x4, (left, right, top, bottom)), w4)
    backward = activation == "none" and not bias
    if backward:
        dy = uniform(*y.shape, stream=gradients)
        y.backward(dy.double())
        dx = x4.grad.reshape(x.shape)
        dw = w4.grad.reshape(weights.shape)
        np.save(os.path.join(here, name + ".dy.npy"), dy.reshape(n, k, -1).numpy() if one_d else dy.numpy())
        np.save(os.path.join(here, name + ".dx.npy"), dx.float().numpy())
        np.save(os.path.join(here, name + ".dw.npy"), dw.float().numpy())
    y = y.detach()
    if bias:
        y = y + b.double().reshape(1, k, 1, 1)
    y = activate(y, activation)
    if one_d:
        y = y.reshape(n, k, -1)
    np.save(os.path.join(here, name + ".x.npy"), x.numpy())
    np.save(os.path.join(here, name + ".w.npy"), weights.numpy())
    np.save(os.path.join(here, name + ".y.npy"), y.float().numpy())
    flags = ["--pad", pad_text, "--activation", activation]
    if one_d:
        flags += ["--filter-shape", str(s)]
    else:
        flags += ["--filter-shape", f"{r},{s}"]
    if bias:
        np.save(os.path.join(here, name + ".b.npy"), b.numpy())
    # The test adds --input, --weights and, with "bias", --bias of the files.
    # The layer as the API takes it (N, C, H, W, K, R, S, pad top, bottom, left, right).
    layer = [n, c, 1 if one_d else h, w, k, 1 if one_d else r, s, top, bottom, left, right]
    return {"name": name, "flags": " ".join(flags), "bias": bias, "backward": backward, "layer": layer}


os.makedirs(here, exist_ok=True)
cases = []
for activation in ["none", "relu", "relu6", "leaky_relu:0.1", "clip:-0.5,0.5"]:
    tag = activation.split(":")[0]
    cases.append(case(f"bias_{tag}", 2, 3, 9, 11, 4, 3, 3, ((1, 1, 1, 1), "1"), activation, bias=True))
cases.append(case("relu_no_bias", 1, 3, 9, 11, 4, 3, 3, ((1, 1, 1, 1), "1"), "relu"))
for r, s in [(1, 7), (7, 1), (3, 1), (1, 3), (3, 5), (5, 3)]:
    pad = (r // 2, r // 2, s // 2, s // 2)
    cases.append(case(f"filter_{r}x{s}", 2, 4, 11, 10, 5, r, s, (pad, f"{r // 2},{s // 2}")))
cases.append(case("pad_every_side", 1, 3, 10, 9, 4, 3, 3, ((2, 2, 2, 2), "2")))
cases.append(case("pad_rows_columns", 1, 3, 10, 9, 4, 3, 3, ((2, 2, 0, 0), "2,0")))
cases.append(case("pad_four_sides", 2, 3, 10, 9, 4, 3, 3, ((0, 2, 1, 0), "0,2,1,0")))
cases.append(case("pad_same_odd", 1, 3, 10, 9, 4, 5, 3, ((*same(5), *same(3)), "same")))
cases.append(case("pad_same_even", 2, 3, 10, 9, 4, 2, 4, ((*same(2), *same(4)), "same")))
cases.append(case("conv1d", 2, 3, 1, 37, 4, 1, 5, ((0, 0, *same(5)), "same"), "relu", bias=True, one_d=True))
cases.append(case("conv1d_left_right", 1, 5, 1, 30, 3, 1, 3, ((0, 0, 1, 2), "1,2"), one_d=True))
# Appended: the cases above keep the tensors they were made with.
cases.append(case("pad_past_filter", 2, 3, 10, 9, 4, 3, 3, ((3, 1, 0, 4), "3,1,0,4")))
with open(os.path.join(here, "cases.json"), "w") as out:
    json.dump(cases, out, indent=1)
    out.write("\n")
