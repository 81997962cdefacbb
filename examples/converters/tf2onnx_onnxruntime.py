"""tf2onnx translates the graph to ONNX; onnxruntime (CPU) runs it."""

import importlib.metadata as md

import numpy as np

VENV = "tf2onnx"
RUNTIME = "onnxruntime (CPUExecutionProvider)"


def setup():
    import logging

    for name in ("tf2onnx", "onnx"):
        logging.getLogger(name).setLevel(logging.ERROR)


def versions():
    return {p: md.version(p) for p in ("tensorflow-cpu", "tf2onnx", "onnx", "onnxruntime", "numpy", "ml_dtypes")}


def to_onnx(graph):
    """The ONNX model of a case's graph (tf2onnx's default opset); shared with openvino_onnx."""
    import tf2onnx

    model, _ = tf2onnx.convert.from_function(graph.function, input_signature=graph.signature)
    return model


def convert(graph, request):
    return to_onnx(graph).SerializeToString()


def execute(model, x):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return np.asarray(session.run(None, {name: x})[0])
