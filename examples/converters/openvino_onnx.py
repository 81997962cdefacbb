"""OpenVINO's ONNX frontend on the model that tf2onnx makes of the graph, compiled for OpenVINO's CPU
plugin with f32 inference precision (see openvino_tf.py)."""

import importlib.metadata as md
import os
import tempfile

import openvino_tf
import tf2onnx_onnxruntime

VENV = "openvino"
RUNTIME = openvino_tf.RUNTIME


def setup():
    tf2onnx_onnxruntime.setup()


def versions():
    return {p: md.version(p) for p in ("tensorflow-cpu", "tf2onnx", "onnx", "openvino", "numpy", "ml_dtypes")}


def convert(graph, request):
    import openvino as ov

    onnx_model = tf2onnx_onnxruntime.to_onnx(graph)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "case.onnx")
        with open(path, "wb") as f:
            f.write(onnx_model.SerializeToString())
        return ov.convert_model(path)


execute = openvino_tf.execute
