"""A numpy port of the op as a kernel qdq can judge (qdq.check, qdq.judge, Case.check): the port's
answer to a case, and its rejection of an invalid one as qdq.OpError. The gradient always comes
from tf_cpu_float32, the port whose forward op the broken variants change."""

import qdq
import tf_cpu_float32


def kernel(port):
    """The kernel of `port`, a module with quantize_and_dequantize (tf_cpu_float32, broken_ties_away)."""
    def answer(case):
        try:
            if case.op == "forward":
                return port.quantize_and_dequantize(case.input, case.input_min, case.input_max, **case.attrs)
            return tf_cpu_float32.quantize_and_dequantize_grad(case.gradients, case.input, case.input_min, case.input_max,
                                                               axis=case.attrs["axis"])
        except tf_cpu_float32.Rejected as e:
            raise qdq.OpError(e.code, e.message) from None
    return answer
