"""OpenVINO's TensorFlow frontend (openvino.convert_model on the concrete function), compiled for
OpenVINO's CPU plugin with f32 inference precision."""

import importlib.metadata as md

import numpy as np

VENV = "openvino"
RUNTIME = "openvino CPU plugin (INFERENCE_PRECISION_HINT f32)"
# Without the hint the CPU plugin may compute in bfloat16 on CPUs that have it (this one does); the
# question here is the translation of the op, not that performance setting.
CONFIG = {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": "1"}


def setup():
    pass


def versions():
    return {p: md.version(p) for p in ("tensorflow-cpu", "openvino", "numpy", "ml_dtypes")}


_core = None


def compile_model(model):
    global _core
    import openvino as ov

    if _core is None:  # one per process: it loads the plug-ins
        _core = ov.Core()
    return _core.compile_model(model, "CPU", CONFIG)


def convert(graph, request):
    import openvino as ov

    return ov.convert_model(graph.concrete)


def execute(model, x):
    request = compile_model(model).create_infer_request()
    request.infer({0: x})
    return np.array(request.get_output_tensor(0).data)
