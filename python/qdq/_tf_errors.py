"""TensorFlow's exceptions as the harness's errors: a code and TF's own message.

This file imports nothing outside the standard library, so that the TF oracle
(tools/tf_oracle/oracle.py), which runs in TensorFlow's venv without this package, loads it by path
and cleans messages exactly as qdq.OpError.from_tf does.
"""

import re

# TF's canonical error codes (tensorflow/core/protobuf/error_codes.proto), by number; the harness's
# name for each is the proto's, in CamelCase (INVALID_ARGUMENT -> InvalidArgument).
CODES = {1: "Cancelled", 2: "Unknown", 3: "InvalidArgument", 4: "DeadlineExceeded", 5: "NotFound",
         6: "AlreadyExists", 7: "PermissionDenied", 8: "ResourceExhausted", 9: "FailedPrecondition", 10: "Aborted",
         11: "OutOfRange", 12: "Unimplemented", 13: "Internal", 14: "Unavailable", 15: "DataLoss",
         16: "Unauthenticated"}


def core_message(message):
    """TF's message without what depends on the caller: Python's decorations, the traced function's
    generated name, stack frames and hints."""
    message = re.sub(r"^\{\{function_node [^}]*\}\} ", "", message)
    message = re.sub(r" \[Op:[A-Za-z0-9_<>]+\]( name: )?$", "", message)
    # Graph construction (tf.function tracing): autograph wraps what the op's Python wrapper or a shape function
    # raises as "in user code:\n\n    File \"...\", line N, in FN  *\n        SOURCE\n\n    ValueError: CORE\n" (or
    # TypeError): the frames are the caller's; keep what follows the exception's name.
    m = re.match(r"in user code:.*?\n    (?:ValueError|TypeError): (.*)$", message, re.S)
    if m:
        message = m.group(1).strip()
    # A shape function's refusal (graph mode): "Shape must be rank 0 but is rank 1 for '{{node
    # QuantizeAndDequantizeV4}} = QuantizeAndDequantizeV4[T=DT_FLOAT, axis=-1, ...](input, input_min, input_max)'
    # with input shapes: [3], [2], [2]."
    # The part from " for '{{node" on is the graph's rendering of the case (the node, its attributes, the traced
    # function's argument names, the shapes), which the case itself states and eager messages don't carry; the
    # first part names the problem. Keep it.
    message = re.sub(r" for '\{\{node [^']*' with input shapes:.*$", "", message, flags=re.S)
    # tf2xla: "CORE\n\t [[{{node ...}}]]\n\ttf2xla conversion failed ..." (TF 2.12 and 2.13: no tf2xla line)
    message = re.sub(r"\n\t \[\[\{\{node [^]]*\]\](\n\ttf2xla conversion failed.*)?$", "", message, flags=re.S)
    # A graph's kernel lookup (graph mode, a dtype without a CPU kernel): "No OpKernel was registered ...\n\t
    # [[QuantizeAndDequantizeV4]]": the node's name in the traced graph
    message = re.sub(r"\n\t \[\[[A-Za-z0-9_/]+\]\]$", "", message)
    # ... and its "with these attrs: [signed_input=true, T=DT_BFLOAT16, ...]" lists the attributes in a hash map's
    # order, which changes from run to run: sorted here, as the eager message's NodeDef lists them
    message = re.sub(r"(with these attrs: \[)([^]]*)(\])",
                     lambda m: m.group(1) + ", ".join(sorted(re.split(r", (?=\w+=)", m.group(2)))) + m.group(3),
                     message)
    # XLA compilation of an op without an XLA kernel
    message = re.sub(r"compile graph __inference_[^ ]* on", "compile graph on", message)
    message = re.sub(r"\)\{\{node [A-Za-z0-9]+\}\}\nThe op is created at: .*$", ")", message, flags=re.S)
    return message


def _is_tf_op_error(exc):
    return any(c.__name__ == "OpError" and c.__module__.startswith("tensorflow") for c in type(exc).__mro__)


def _is_graph_construction_error(exc):
    # While a graph is built, TF raises what the op's shape function or attribute checks refuse as a
    # ValueError: naming the node, wrapped in autograph's "in user code:", or naming the op.
    text = str(exc)
    return isinstance(exc, ValueError) and ("{{node " in text or text.startswith("in user code:") or
                                            "'QuantizeAndDequantizeV4" in text)


def from_tf(exc):
    """(code, message) for a TensorFlow exception: a tf.errors.OpError (its error_code), or the
    ValueError TF raises where a graph's shape function refuses the op (InvalidArgument). Raises
    TypeError for any other exception, naming its class."""
    if _is_tf_op_error(exc):
        number = getattr(exc, "error_code", None)
        if number not in CODES:
            raise TypeError(f"{type(exc).__module__}.{type(exc).__name__}: a TensorFlow error with an unknown code {number!r}")
        message = getattr(exc, "message", None)
        return CODES[number], core_message(message if isinstance(message, str) else str(exc))
    if _is_graph_construction_error(exc):
        return "InvalidArgument", core_message(str(exc))
    raise TypeError(f"{type(exc).__module__}.{type(exc).__name__} is not one of TensorFlow's op errors "
                    f"(tf.errors.OpError, or a graph's shape-function ValueError): {exc}")
