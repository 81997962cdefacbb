"""The converter side of a run: a child process that imports TensorFlow and one converter, and
answers one case at a time for driver.py (through a forked child: see main).

Each request carries a case's arrays and attributes; the worker builds a fresh tf.function around
tf.raw_ops.QuantizeAndDequantizeV4 for it, hands its concrete function to the converter module,
runs the converted model on the case's input and sends back the output array, or the exception
with the phase it came from. A crash or a hang here takes this process down, never the driver:
the driver records that one case as crashed and goes on with a new child.

Messages are pickled dicts, each preceded by its length (8 bytes, little-endian), on two pipes whose
descriptors are given on the command line, so that whatever a converter prints to stdout cannot
garble them.
"""

import importlib
import os
import pickle
import struct
import sys

HEADER = struct.Struct("<Q")


def read_message(f):
    head = f.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (n,) = HEADER.unpack(head)
    body = f.read(n)
    if len(body) < n:
        return None
    return pickle.loads(body)


def write_message(f, message):
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    f.write(HEADER.pack(len(body)) + body)
    f.flush()


class Phase(Exception):
    """An exception of a named phase: graph (TF builds the graph), convert, run (the runtime)."""

    def __init__(self, phase, exc):
        super().__init__(f"{phase}: {type(exc).__name__}: {exc}")
        self.phase = phase
        self.exc = exc


def tf_dtype(tf, name):
    return {"float32": tf.float32, "float64": tf.float64, "float16": tf.float16, "bfloat16": tf.bfloat16}[name]


class Graph:
    """A case's graph: `function` (the tf.function, with its input signature) and `concrete` (its
    concrete function); each converter takes the one its API wants."""

    def __init__(self, function):
        self.function = function
        self.signature = function.input_signature
        self.concrete = function.get_concrete_function()


def build_graph(tf, request):
    """The case's graph: input as the function's argument, input_min and input_max as constants
    (a trained model carries its ranges as constants, and the converters fold them into the
    quantization parameters; as arguments they could not)."""
    dtype = tf_dtype(tf, request["dtype"])
    x = request["input"]
    lo, hi = request["input_min"], request["input_max"]
    a = request["attrs"]

    def qdq_case(inp):
        return tf.raw_ops.QuantizeAndDequantizeV4(
            input=inp, input_min=tf.constant(lo, dtype=dtype), input_max=tf.constant(hi, dtype=dtype),
            signed_input=a["signed_input"], num_bits=a["num_bits"], range_given=a["range_given"],
            round_mode=a["round_mode"], narrow_range=a["narrow_range"], axis=a["axis"])

    spec = tf.TensorSpec(x.shape, dtype, name="x")
    return Graph(tf.function(qdq_case, input_signature=[spec], autograph=False))


def answer(tf, converter, request):
    try:
        graph = build_graph(tf, request)
    except Exception as e:  # noqa: BLE001 - every refusal is reported with its phase
        raise Phase("graph", e) from e
    try:
        model = converter.convert(graph, request)
    except Exception as e:  # noqa: BLE001
        raise Phase("convert", e) from e
    try:
        return converter.execute(model, request["input"])
    except Exception as e:  # noqa: BLE001
        raise Phase("run", e) from e


def serve(tf, converter, requests, replies):
    """A forked child's loop: one case at a time until the requests end (exit 0) or a case kills it."""
    write_message(replies, {"ready": os.getpid()})
    while True:
        request = read_message(requests)
        if request is None:
            os._exit(0)
        try:
            y = answer(tf, converter, request)
            reply = {"status": "ok", "y": y}
        except Phase as p:
            reply = {"status": "error", "phase": p.phase, "type": type(p.exc).__name__, "message": str(p.exc)[:4000]}
        write_message(replies, reply)


def main():
    """Imports TensorFlow and the converter once, then forks the child that answers the cases, and a
    new one each time a case kills it (a fresh Python would import TensorFlow again: seconds a case
    where a converter crashes often). This process runs no TensorFlow op itself, so that no thread
    of TF's holds a lock at a fork. It reports a child's death as {"status": "died"} on the reply
    pipe, where the driver expects that case's answer."""
    import faulthandler

    faulthandler.enable()  # a crash leaves the Python stack in the log: where it happened
    module_name, fd_in, fd_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    requests = os.fdopen(fd_in, "rb")
    replies = os.fdopen(fd_out, "wb")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    converter = importlib.import_module(module_name)
    converter.setup()
    write_message(replies, {"versions": converter.versions()})
    while True:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                serve(tf, converter, requests, replies)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            return  # the driver closed the requests
        if os.WIFSIGNALED(status):
            why = f"killed by signal {os.WTERMSIG(status)}"
        else:
            why = f"exited with status {os.WEXITSTATUS(status)}"
        write_message(replies, {"status": "died", "why": why, "pid": pid})


if __name__ == "__main__":
    main()
