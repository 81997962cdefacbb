#!/usr/bin/env bash
# Makes .venv-bench/ (ignored by git) for the speed comparisons: PyTorch, whose CPU fake quantization
# tools/bench_torch_cpu.py times against ours, and matplotlib, with which tools/perf_report.py draws
# (tools/bench-requirements.txt, pinned). Prints its python's path. Idempotent. PyPI's torch wheel
# for Linux carries CUDA libraries (a few GB); only its CPU kernels are used.
exec "$(dirname "$0")/python_env.sh" .venv-bench tools/bench-requirements.txt
