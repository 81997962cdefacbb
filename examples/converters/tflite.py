"""TensorFlow Lite's converter (from_concrete_functions, default settings: builtin ops only) and the
LiteRT interpreter of the ai-edge-litert package."""

import importlib.metadata as md

import numpy as np

VENV = "tflite"
RUNTIME = "ai_edge_litert.interpreter.Interpreter"


def setup():
    pass


def versions():
    return {p: md.version(p) for p in ("tensorflow-cpu", "ai-edge-litert", "numpy", "ml_dtypes")}


def convert(graph, request):
    import tensorflow as tf

    holder = tf.Module()  # the trackable object that the converter's current path wants
    holder.qdq = graph.function
    return tf.lite.TFLiteConverter.from_concrete_functions([graph.concrete], holder).convert()


def execute(flatbuffer, x):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=flatbuffer, num_threads=1)
    interpreter.allocate_tensors()
    (inp,) = interpreter.get_input_details()
    (out,) = interpreter.get_output_details()
    if tuple(inp["shape"]) != x.shape:
        interpreter.resize_tensor_input(inp["index"], x.shape)
        interpreter.allocate_tensors()
    interpreter.set_tensor(inp["index"], x)
    interpreter.invoke()
    return np.array(interpreter.get_tensor(out["index"]))
