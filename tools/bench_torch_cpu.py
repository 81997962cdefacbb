#!/usr/bin/env python3
"""PyTorch's fake quantization on the CPU against ours, case by case, on the shapes `qdq bench` uses.

  $(tools/bench_env.sh) tools/bench_torch_cpu.py build/bin/qdq [--threads N] [--max-bytes N] [--json OUT] [--channel-last] [--layout L ...]

torch.fake_quantize_per_tensor_affine and torch.fake_quantize_per_channel_affine are what a PyTorch user
takes for fake quantization, on every dtype here (bfloat16 and float16 included), 8 bits signed
([-128, 127]) as ours. "given": a fixed scale (5/127, zero point 0) as our range [-5, 5]. "measured": the
extremes first (torch.aminmax per tensor; amin and amax over the dims besides the channel axis per channel), then the scale
from them, as a user would write it. The semantics differ from QuantizeAndDequantizeV4: PyTorch takes a
scale and a zero point (TF derives its scale from a range and nudges the range), rounds x / scale to
nearest with ties to even (no HALF_UP), has no narrow_range switch, and its measured variant is separate
ops; the times compare the work, not the answers (docs/performance.md). For each case `qdq bench` runs
that one case right before PyTorch is timed (tools/bench_pairs.py). Bytes as in `qdq bench`: given, a
read and a write per element; measured, one more read.
"""

import torch

from bench_pairs import arguments, channels_of, compare, inputs, median_seconds, shape_of


def torch_seconds(dtype, size, layout, given):
    shape = shape_of(dtype, size, layout)
    x = torch.from_numpy(inputs(shape)).to(getattr(torch, dtype))
    others = tuple(d for d in range(len(shape)) if d != 1)  # the dims besides the channel axis (1)
    if layout != "per-tensor":
        zero = torch.zeros(channels_of(layout), dtype=torch.int32)
        if given:
            scale = torch.full((channels_of(layout),), 5.0 / 127)
            call = lambda: torch.fake_quantize_per_channel_affine(x, scale, zero, 1, -128, 127)  # noqa: E731
        else:
            def call():
                lo, hi = x.amin(dim=others), x.amax(dim=others)
                s = torch.maximum(-lo / 128, hi / 127).float().clamp_min(1e-12)
                return torch.fake_quantize_per_channel_affine(x, s, zero, 1, -128, 127)
    elif given:
        call = lambda: torch.fake_quantize_per_tensor_affine(x, 5.0 / 127, 0, -128, 127)  # noqa: E731
    else:
        def call():
            lo, hi = torch.aminmax(x)
            s = max(-float(lo) / 128, float(hi) / 127, 1e-12)
            return torch.fake_quantize_per_tensor_affine(x, s, 0, -128, 127)
    return median_seconds(call, x.numel())


def main():
    args = arguments(__doc__)
    torch.set_num_threads(args.threads)
    print("PyTorch %s, %d threads" % (torch.__version__, args.threads))
    compare(args, "torch", "torch_s", ("float32", "float64", "bfloat16", "float16"), torch_seconds)

if __name__ == "__main__":
    main()
