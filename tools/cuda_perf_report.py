#!/usr/bin/env python3
"""Markdown for docs/performance.md from one `qdq bench --backend cuda` run and one tools/bench_torch.py run
on the same GPU (tools/gpu_check.sh --on-device runs both):

  qdq bench --backend cuda --benchmark_out=bench.json --benchmark_out_format=json
  python3 tools/bench_torch.py --json torch.json
  python3 tools/cuda_perf_report.py bench.json torch.json

Each percentage is the op's bytes/s over the faster of the two bounds (read-scale-write kernel,
device-to-device copy) measured last before it at the same size. Ends with the issue's targets,
each "- met:" or "- missed:" with the figures.
"""
import json
import sys

SIZES_BIG = 256 << 20  # the targets' "at least 256 MiB"


def human(b):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= size:
            return "%d %s" % (b // size, unit)
    return "%d B" % b


def split(name):
    parts = name.split("/")
    while parts and parts[-1] in ("manual_time", "real_time"):
        parts.pop()
    return "/".join(parts[:-1]), int(parts[-1])


def main(bench_path, torch_path=None):
    ops, bound, host, launches = {}, {}, {}, {}
    last, after_op = (None, 0.0), False
    for b in json.load(open(bench_path))["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or "bytes_per_second" not in b:
            continue
        name, size = split(b["name"])
        rate = b["bytes_per_second"]
        if name.startswith("bandwidth/"):
            last = (size, max(rate, last[1]) if last[0] == size and not after_op else rate)
            after_op = False
        elif name.startswith("cuda-host-to-host/"):
            host[(name[len("cuda-host-to-host/"):], size)] = rate
        elif name.startswith("cuda/"):
            key = (name[len("cuda/"):], size)
            ops[key] = rate
            bound[key] = last[1] if last[0] == size else None
            launches[key] = (int(b.get("kernels", -1)), int(b.get("memsets", -1)))
            after_op = True
    # The PyTorch comparison is optional: gpu_check.sh reports without it where it failed.
    torch_doc = json.load(open(torch_path)) if torch_path else {"benchmarks": []}
    torch = {}
    for b in torch_doc["benchmarks"]:
        name, size = split(b["name"])
        torch[(name[len("torch/"):], size)] = b["bytes_per_second"]

    configs = sorted({k[0] for k in ops}, key=lambda c: (["bfloat16", "float16", "float32", "float64"].index(c.split("/")[0]), c))
    sizes = sorted({k[1] for k in ops})
    print("| config | " + " | ".join(human(s) for s in sizes) + " | launches |")
    print("| --- |" + " --- |" * (len(sizes) + 1))
    for c in configs:
        cells = []
        for s in sizes:
            r, bd = ops.get((c, s)), bound.get((c, s))
            cells.append("-" if r is None else "%.0f GB/s, %.0f %%" % (r / 1e9, 100 * r / bd) if bd else "%.0f GB/s" % (r / 1e9))
        k, m = launches[(c, sizes[-1])]
        print("| %s | %s | %d kernel(s), %d memset(s) |" % (c, " | ".join(cells), k, m))
    bounds = {s: max((bound[k] or 0) for k in bound if k[1] == s) for s in sizes}
    print("| bound (faster of read-scale-write, copy) | " + " | ".join("%.0f GB/s" % (bounds[s] / 1e9) for s in sizes) + " | |")
    if host:
        hsizes = sorted({k[1] for k in host})
        print("\nHost tensors to host tensors (the `cuda` backend: validation, copies both ways, kernels):\n")
        print("| config | " + " | ".join(human(s) for s in hsizes) + " |")
        print("| --- |" + " --- |" * len(hsizes))
        for c in configs:
            print("| %s | %s |" % (c, " | ".join("%.1f GB/s" % (host[(c, s)] / 1e9) if (c, s) in host else "-" for s in hsizes)))
    if torch:
        print("\nPyTorch %s on %s, same shapes (ours with the range given, as torch's scale is):\n" % (torch_doc.get("torch"), torch_doc.get("device")))
        tsizes = sorted({k[1] for k in torch})
        print("| ours / torch | " + " | ".join(human(s) for s in tsizes) + " |")
        print("| --- |" + " --- |" * len(tsizes))
        for key in sorted({k[0] for k in torch}):
            dtype, layout = key.split("/")
            ours = "%s/%s/given" % (dtype, layout)
            print("| %s | %s |" % (key, " | ".join("%.2fx" % (ops[(ours, s)] / torch[(key, s)]) if (ours, s) in ops and (key, s) in torch else "-" for s in tsizes)))
        for s in torch_doc.get("left_out", []):
            print("\nLeft out by PyTorch: " + s)
    else:
        print("\nNo PyTorch comparison in this run.")

    # The targets.
    print()
    def verdict(ok, text):
        print("- %s: %s" % ("met" if ok else "missed", text))

    def pct(c, s):
        return 100 * ops[(c, s)] / bound[(c, s)] if (c, s) in ops and bound.get((c, s)) else 0.0

    big = [s for s in sizes if s >= SIZES_BIG]
    f32 = [(c, s, pct(c, s)) for c in ("float32/per-tensor/given", "float32/per-tensor/measured") for s in big]
    verdict(bool(f32) and all(p >= 90 for _, _, p in f32), "float32 per-tensor >= 256 MiB at >= 90 %% of the bound: %s" %
            ", ".join("%s %s %.0f %%" % (c, human(s), p) for c, s, p in f32))
    narrow = [(c, s, pct(c, s)) for c in configs if c.split("/")[0] in ("bfloat16", "float16") for s in big]
    verdict(bool(narrow) and all(p >= 85 for _, _, p in narrow), "bfloat16/float16 >= 256 MiB at >= 85 %%: lowest %s" %
            ("%.0f %% (%s %s)" % min((p, c, human(s)) for c, s, p in narrow) if narrow else "none"))
    ratios = [(ops[(c, s)] / ops[(c.replace("per-channel", "per-tensor"), s)], c, s) for c in configs if "per-channel" in c
              for s in big if (c, s) in ops and (c.replace("per-channel", "per-tensor"), s) in ops]
    verdict(bool(ratios) and all(r >= 0.9 for r, _, _ in ratios), "per-channel within 10 %% of per-tensor (>= 256 MiB): lowest %s" %
            ("%.2f (%s %s)" % min((r, c, human(s)) for r, c, s in ratios) if ratios else "none"))
    bad = [(c, launches[(c, s)]) for (c, s) in launches
           if launches[(c, s)][0] + max(0, launches[(c, s)][1]) > (1 if c.endswith("given") else 2)]
    verdict(not bad, "launches per call (kernels and memsets, counted in captured graphs) at most 1 given, 2 measured%s" %
            ("" if not bad else ": " + ", ".join("%s %d+%d" % (c, l[0], l[1]) for c, l in bad[:5])))
    if not torch:
        return
    slower = [(key, s, ops[("%s/given" % key, s)] / torch[(key, s)]) for (key, s) in torch if s >= 1 << 20 and ("%s/given" % key, s) in ops]
    verdict(bool(slower) and all(r > 1 for _, _, r in slower), "faster than PyTorch's fake-quant on every shape >= 1 MiB: lowest %s" %
            ("%.2fx (%s %s)" % min((r, k, human(s)) for k, s, r in slower) if slower else "none"))


if __name__ == "__main__":
    main(*sys.argv[1:3])
