#!/usr/bin/env python3
"""What a PyTorch user gets on a layer list (wino-gen-gpu-check runs it where
`import torch` works): F.conv2d with cudnn.benchmark at fp32 (TF32 off), at
TF32, and at fp16 in channels_last, each the median of 20 CUDA-event timings
after warm-up, with its error against the fp64 result of the same tensors
(relative L2, and max |d| / max |ref| as ncnn and the issues quote it).

usage: torch_compare.py LAYER_FILE [--batch N] [--json FILE]
       (lines: name N C H W K R pad, as wino-gen's layer lists)
"""
import argparse
import json
import os
import statistics
import sys
import tempfile


def parse_layers(path, batch):
    layers = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            name, n, c, h, w, k, filt, pad = line[:8]
            r, s = (int(v) for v in filt.split("x")) if "x" in filt else (int(filt), int(filt))
            p = [int(v) for v in pad.split(",")]
            if len(p) == 1:
                p = p * 2
            elif len(p) == 4:
                if p[0] != p[1] or p[2] != p[3]:
                    print(f"torch_compare: {name}: F.conv2d pads both sides of an axis alike, not {pad}; left out", file=sys.stderr)
                    continue
                p = [p[0], p[2]]
            n = batch or int(n)
            layers.append((f"{name}-n{batch}" if batch else name, n, int(c), int(h), int(w), int(k), r, s, tuple(p)))
    return layers


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("layers")
    parser.add_argument("--batch", type=int)
    parser.add_argument("--json")
    args = parser.parse_args()
    import torch
    import torch.nn.functional as F

    if not torch.cuda.is_available():
        print("torch_compare: torch sees no CUDA device", file=sys.stderr)
        return 1
    torch.backends.cudnn.benchmark = True
    modes = [("fp32", torch.float32, False, False), ("tf32", torch.float32, True, False), ("fp16 channels_last", torch.float16, False, True)]
    results = []
    print(f"{'layer':<24} " + " ".join(f"{m[0] + ' ms':>20} {'max|d|/max|ref|':>16}" for m in modes))
    for name, n, c, h, w, k, r, s, pad in parse_layers(args.layers, args.batch):
        gen = torch.Generator(device="cuda").manual_seed(1)
        x64 = torch.rand(n, c, h, w, device="cuda", dtype=torch.float64, generator=gen) * 2 - 1
        w64 = torch.rand(k, c, r, s, device="cuda", dtype=torch.float64, generator=gen) * 2 - 1
        ref = F.conv2d(x64, w64, padding=pad)
        row = {"name": name, "shape": [n, c, h, w, k, r, s, list(pad)]}
        cells = []
        for mode, dtype, tf32, channels_last in modes:
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
            fmt = torch.channels_last if channels_last else torch.contiguous_format
            x = x64.to(dtype).contiguous(memory_format=fmt)
            wt = w64.to(dtype).contiguous(memory_format=fmt)
            for _ in range(5):
                y = F.conv2d(x, wt, padding=pad)
            times = []
            for _ in range(20):
                start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                y = F.conv2d(x, wt, padding=pad)
                stop.record()
                stop.synchronize()
                times.append(start.elapsed_time(stop))
            d = y.double() - ref
            rel_l2 = (d.norm() / ref.norm()).item()
            max_rel = (d.abs().max() / ref.abs().max()).item()
            ms = statistics.median(times)
            row[mode] = {"ms": ms, "rel_err": rel_l2, "max_abs_over_max_ref": max_rel}
            cells.append(f"{ms:>17.3f} ms {max_rel:>16.2e}")
        print(f"{name:<24} " + " ".join(cells), flush=True)
        results.append(row)
    if args.json:
        folder = os.path.dirname(os.path.abspath(args.json))
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as out:
            json.dump({"torch": torch.__version__, "device": torch.cuda.get_device_name(), "layer_file": args.layers,
                       "batch": args.batch, "layers": results}, out, indent=1)
        os.replace(out.name, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
