"""Arrays from any framework through DLPack: answers and inputs that are not numpy arrays, read in
place from host memory (any strides, bfloat16 included), copied from a device, and refused with a
clear error where the dtype, device or object is wrong. The expected values are TF's own test
vectors (the known suite) and the reference's."""

import numpy as np
import pytest

import ml_dtypes
import qdq

INT4 = "tf-kernel/Convert_1D_tensor_with_int4"


class Framework:
    """A stand-in for a framework's array: it offers DLPack only (numpy's own exporter underneath),
    so the package must take it through DLPack, as it takes a torch tensor."""

    def __init__(self, array, device=(1, 0)):
        self._array, self._device = array, device

    def __dlpack__(self, stream=None):
        return self._array.__dlpack__()

    def __dlpack_device__(self):
        return self._device


class OnDevice:
    """A stand-in for a device array (DLPack device type 2, CUDA) with a copy to the host, as
    torch's .cpu() gives one; `copies` counts the copies asked for."""

    def __init__(self, array):
        self._array, self.copies = array, 0

    def __dlpack__(self, stream=None):
        raise AssertionError("a device array's own capsule must not be read by the host")

    def __dlpack_device__(self):
        return (2, 0)

    def cpu(self):
        self.copies += 1
        return Framework(self._array)


@pytest.fixture(scope="module")
def int4():
    return next(c for c in qdq.cases(suite="known", profile="tf-cpu", dtype="float32") if c.id == INT4)


def test_an_answer_through_dlpack_is_judged_bit_for_bit(int4):
    assert int4.check(Framework(int4.expected))["verdict"] == "passed"
    wrong = int4.expected.copy()
    wrong[3] = np.float32(0.375)
    with pytest.raises(AssertionError, match=r"output\[3\]: input 0x3ea00000 expected 0x3e800000"):
        int4.check(Framework(wrong))


def test_any_strides_are_read_in_row_major_order():
    x = np.arange(24, dtype=np.float32).reshape(4, 6) / 7
    for view in (x.T, x[:, ::2], x[::-1], x[1:3, 2:5]):
        c = qdq.Case.from_arrays(input=Framework(view), num_bits=5)
        np.testing.assert_array_equal(c.input, np.ascontiguousarray(view))
        y = c.reference()
        column_major = np.asfortranarray(y)  # the same values, laid out with other strides
        assert column_major.strides != y.strides or y.ndim < 2 or 1 in y.shape
        assert c.check(Framework(column_major))["verdict"] == "passed"


def test_bfloat16_crosses_both_ways():
    x = (np.arange(12, dtype=np.float32) / 5 - 1).astype(ml_dtypes.bfloat16).reshape(3, 4)
    c = qdq.Case.from_arrays(input=x, num_bits=4, profile="tf-xla")  # TF's CPU kernel has no bfloat16
    exported = c.dlpack("input")
    assert exported.__dlpack_device__() == (1, 0)
    back = qdq.Case.from_arrays(input=exported, num_bits=4, profile="tf-xla")  # read back through DLPack
    assert back.dtype == "bfloat16"
    np.testing.assert_array_equal(back.input.view(np.uint16), x.view(np.uint16))
    answer = qdq.Case.from_arrays(input=c.reference(), num_bits=4, profile="tf-xla").dlpack("input")  # the reference's, as DLPack
    assert c.check(answer)["verdict"] == "passed"


def test_numpy_takes_a_case_s_tensor_without_converting(int4):
    np.testing.assert_array_equal(np.from_dlpack(int4.dlpack("input")), int4.input)
    g = next(c for c in qdq.cases(suite="known", profile="tf-cpu", dtype="float32", op="gradient"))
    np.testing.assert_array_equal(np.from_dlpack(g.dlpack("gradients")), g.gradients)
    with pytest.raises(ValueError, match="no tensor 'gradients' in a forward case"):
        int4.dlpack("gradients")


def test_a_device_array_is_copied_to_the_host(int4):
    answer = OnDevice(int4.expected)
    assert int4.check(answer)["verdict"] == "passed" and answer.copies == 1


def test_wrong_dtype_device_and_objects_are_named(int4):
    with pytest.raises(TypeError, match="output: dtype float64, but the case's dtype is float32"):
        int4.check(Framework(int4.expected.astype(np.float64)))
    with pytest.raises(TypeError, match="output: dtype int32 is none of bfloat16, float16, float32, float64"):
        int4.check(Framework(np.zeros(6, np.int32)))

    class Stuck(OnDevice):
        cpu = None

    with pytest.raises(TypeError, match=r"output: its memory is on DLPack device \(2, 0\), and it offers no copy"):
        int4.check(Stuck(int4.expected))

    class NotACapsule(Framework):
        def __dlpack__(self, stream=None):
            return b"bytes"

    with pytest.raises(TypeError, match="output: __dlpack__\\(\\) returned bytes, not a DLPack capsule"):
        int4.check(NotACapsule(int4.expected))


def test_jax_arrays_when_jax_is_installed(int4):
    jnp = pytest.importorskip("jax.numpy")
    assert int4.check(jnp.asarray(int4.expected))["verdict"] == "passed"
    x = jnp.asarray(np.linspace(-1, 1, 10, dtype=np.float32)).astype(jnp.bfloat16)
    c = qdq.Case.from_arrays(input=x, num_bits=3, profile="tf-xla")
    assert c.dtype == "bfloat16"
    np.testing.assert_array_equal(c.input.view(np.uint16), np.asarray(x).view(np.uint16))
    y = jnp.from_dlpack(c.dlpack("input"))
    assert y.dtype == jnp.bfloat16 and bool((y == x).all())


def test_torch_tensors_when_torch_is_installed(int4):
    """torch's CPU tensors are read in place through DLPack (strided and bfloat16 ones included); a
    CUDA tensor is copied to the host first (run only where torch sees a GPU)."""
    torch = pytest.importorskip("torch")
    assert int4.check(torch.from_numpy(int4.expected))["verdict"] == "passed"
    wrong = torch.from_numpy(int4.expected.copy())
    wrong[3] = 0.375
    with pytest.raises(AssertionError, match=r"output\[3\]: input 0x3ea00000 expected 0x3e800000"):
        int4.check(wrong)

    x = (torch.arange(24, dtype=torch.float32) / 7 - 1).to(torch.bfloat16).reshape(4, 6)
    for view in (x, x.t(), x[:, ::2]):
        c = qdq.Case.from_arrays(input=view, num_bits=4, profile="tf-xla")
        assert c.dtype == "bfloat16"
        expected_bits = view.contiguous().view(torch.int16).numpy().view(np.uint16)
        np.testing.assert_array_equal(c.input.view(np.uint16), expected_bits)
        answer = torch.from_numpy(c.reference().view(np.uint16).astype(np.int16)).view(torch.bfloat16)
        assert c.check(answer)["verdict"] == "passed"
    back = torch.from_dlpack(c.dlpack("input"))
    assert back.dtype == torch.bfloat16 and torch.equal(back, x[:, ::2].contiguous())

    with pytest.raises(TypeError, match="output: dtype int32 is none of bfloat16, float16, float32, float64"):
        int4.check(torch.zeros(6, dtype=torch.int32))
    needs_grad = torch.from_numpy(int4.expected.copy()).requires_grad_()
    assert int4.check(needs_grad)["verdict"] == "passed"

    if torch.cuda.is_available():
        on_gpu = torch.from_numpy(int4.expected).cuda()
        assert int4.check(on_gpu)["verdict"] == "passed"
        assert qdq.Case.from_arrays(input=x.cuda(), num_bits=4, profile="tf-xla").dtype == "bfloat16"
