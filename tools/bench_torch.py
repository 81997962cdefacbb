#!/usr/bin/env python3
"""PyTorch's fake quantization on the GPU, on the shapes `qdq bench --backend cuda` times.

torch.fake_quantize_per_tensor_affine and torch.fake_quantize_per_channel_affine (the ops a user would
pick instead of QuantizeAndDequantizeV4) with a given scale and zero point, 8 bits signed: per tensor
on [n], per channel on [max(1, n / (256*64)), 256, 64] along axis 1, n = bytes / element size, for
4 KiB to 4 GiB in steps of 8x (and 4 GiB). Each is timed with CUDA events (3 warm-up calls, then the
median of calls filling about 50 ms, at least 5). Bytes moved: a read and a write per element.
Writes {"benchmarks": [{"name": "torch/<dtype>/<per-tensor|per-channel>/<bytes>", "bytes_per_second",
"seconds"}, ...]} to --json. Dtypes PyTorch refuses are left out with the reason.
"""
import argparse
import json
import statistics

import torch

CHANNELS = 256


def sizes(largest):
    b, out = 4096, []
    while b <= largest:
        out.append(b)
        b *= 8
    if out[-1] != largest:
        out.append(largest)
    return out


def timed(fn):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times, total = [], 0.0
    while len(times) < 5 or total < 0.05:
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        t = start.elapsed_time(stop) / 1e3
        times.append(t)
        total += t
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", required=True)
    ap.add_argument("--max-bytes", type=int, default=4 << 30)
    args = ap.parse_args()
    results, skipped = [], []
    for name, dtype in (("float32", torch.float32), ("float16", torch.float16), ("bfloat16", torch.bfloat16)):
        width = torch.finfo(dtype).bits // 8
        for per_channel in (False, True):
            for b in sizes(args.max_bytes):
                n = b // width
                shape = (max(1, n // (CHANNELS * 64)), CHANNELS, 64) if per_channel else (n,)
                x = torch.empty(shape, device="cuda", dtype=dtype).uniform_(-10, 10)
                try:
                    if per_channel:
                        scale = torch.full((CHANNELS,), 0.04, device="cuda", dtype=torch.float32)
                        zero = torch.zeros(CHANNELS, device="cuda", dtype=torch.int32)
                        fn = lambda: torch.fake_quantize_per_channel_affine(x, scale, zero, 1, -128, 127)
                    else:
                        fn = lambda: torch.fake_quantize_per_tensor_affine(x, 0.04, 0, -128, 127)
                    seconds = timed(fn)
                except RuntimeError as e:
                    skipped.append("%s %s: %s" % (name, "per-channel" if per_channel else "per-tensor", str(e).splitlines()[0]))
                    break
                moved = 2 * x.numel() * width
                label = "per-channel" if per_channel else "per-tensor"
                results.append({"name": "torch/%s/%s/%d" % (name, label, b), "bytes_per_second": moved / seconds,
                                "seconds": seconds})
                print("%-40s %9.2f GB/s" % (results[-1]["name"], moved / seconds / 1e9), flush=True)
                del x
    for s in skipped:
        print("left out:", s)
    json.dump({"torch": torch.__version__, "device": torch.cuda.get_device_name(), "benchmarks": results,
               "left_out": skipped}, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
