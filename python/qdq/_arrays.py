"""Arrays <-> the C++ core's (shape, bytes of the elements' bits), with the dtype checked: numpy
arrays, and any framework's through DLPack (torch, JAX, CuPy: __dlpack__)."""

import numpy as np

from . import _qdq

try:
    import ml_dtypes
except ImportError:  # bfloat16 cases then need it; the others do not
    ml_dtypes = None

_BITS = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def numpy_dtype(name):
    """The numpy dtype of a qdq dtype name (bfloat16 is ml_dtypes.bfloat16)."""
    if name == "bfloat16":
        if ml_dtypes is None:
            raise ImportError("bfloat16 cases need the ml_dtypes package (pip install ml_dtypes)")
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype({"float16": np.float16, "float32": np.float32, "float64": np.float64}[name])


def to_array(shape_and_bytes, dtype_name):
    """A fresh, writable array from (shape, bytes)."""
    shape, data = shape_and_bytes
    return np.frombuffer(data, dtype=numpy_dtype(dtype_name)).reshape(tuple(shape)).copy()


_HOST_DEVICES = (1, 3)  # DLPack's kDLCPU and kDLCUDAHost: memory the host reads


def _host_capsule(value, what):
    """A DLPack capsule of `value` in host memory: its own where it lies on the host (read in place),
    else a copy to the host, through the array API's __dlpack__(dl_device=, copy=) or the framework's
    own copy (torch's .cpu(), CuPy's .get(), numpy's conversion of a JAX array)."""
    device = value.__dlpack_device__() if hasattr(value, "__dlpack_device__") else (1, 0)
    if int(device[0]) in _HOST_DEVICES:
        try:
            return value.__dlpack__()
        except BufferError as e:
            # torch refuses to export a tensor that requires grad; only its values are read here,
            # so its detached view (the same memory) serves.
            detach = getattr(value, "detach", None)
            if not callable(detach):
                raise TypeError(f"{what}: its __dlpack__() refused to export it: {e}") from e
            return _host_capsule(detach(), what)
    try:
        return value.__dlpack__(dl_device=(1, 0), copy=True)
    except (TypeError, BufferError, NotImplementedError, ValueError, RuntimeError):
        pass
    for name in ("cpu", "get"):
        method = getattr(value, name, None)
        if callable(method):
            host = method()
            if isinstance(host, np.ndarray):
                return host
            if hasattr(host, "__dlpack__"):
                return _host_capsule(host, what)
    try:  # JAX: numpy's conversion copies a device array to the host
        host = np.asarray(value)
        if host.dtype != object:
            return host
    except (TypeError, ValueError, RuntimeError):
        pass
    raise TypeError(f"{what}: its memory is on DLPack device {tuple(device)}, and it offers no copy to the host "
                    "(__dlpack__(dl_device=(1, 0), copy=True), .cpu() or .get())")


def _from_dlpack(value, what):
    """(dtype name, shape, bytes) of a framework's array, through DLPack."""
    capsule = _host_capsule(value, what)
    if isinstance(capsule, np.ndarray):  # CuPy's .get(), JAX's conversion
        array = capsule
        return _dtype_name_of_numpy(array.dtype, what), tuple(int(d) for d in array.shape), array.tobytes(order="C")
    if type(capsule).__name__ != "PyCapsule":
        raise TypeError(f"{what}: __dlpack__() returned {type(capsule).__name__}, not a DLPack capsule")
    dtype, shape, data = _qdq.read_dlpack(capsule, what)
    return dtype, tuple(shape), data


def _dtype_name_of_numpy(dt, what):
    for name in ("bfloat16", "float16", "float32", "float64"):
        try:
            if numpy_dtype(name) == dt:
                return name
        except ImportError:
            continue
    raise TypeError(f"{what}: dtype {dt} is none of bfloat16, float16, float32, float64")


def _is_framework_array(value):
    return not isinstance(value, np.ndarray) and not np.isscalar(value) and hasattr(value, "__dlpack__")


def dtype_name_of(value, what):
    """The qdq dtype name of an array (numpy, or any framework's through DLPack)."""
    if _is_framework_array(value):
        return _from_dlpack(value, what)[0]
    return _dtype_name_of_numpy(np.asarray(value).dtype, what)


def to_shape_and_bytes(value, dtype_name, what):
    """(shape, bytes) of an array whose dtype must be exactly the case's: a numpy array, or any
    framework's through DLPack (read in place where it lies in host memory, copied to the host from
    a device). Nothing is converted, since a conversion would round. Raises TypeError naming `what`
    otherwise."""
    if isinstance(value, (list, tuple, float, int)) or value is None:
        raise TypeError(f"{what}: expected an array of dtype {dtype_name} (numpy, or any with __dlpack__), got {type(value).__name__}")
    if _is_framework_array(value):
        dtype, shape, data = _from_dlpack(value, what)
        if dtype != dtype_name:
            raise TypeError(f"{what}: dtype {dtype}, but the case's dtype is {dtype_name}")
        return shape, data
    want = numpy_dtype(dtype_name)
    try:
        array = np.asarray(value)
    except Exception as e:
        raise TypeError(f"{what}: cannot be read as an array ({e})") from None
    if array.dtype != want:
        raise TypeError(f"{what}: dtype {array.dtype}, but the case's dtype is {dtype_name}")
    return tuple(int(d) for d in array.shape), array.tobytes(order="C")


class DLPackTensor:
    """One of a case's tensors for any framework's from_dlpack (torch.from_dlpack, jax.dlpack,
    cupy.from_dlpack), bfloat16 included: a row-major copy on the CPU that the framework takes over
    without copying again. Each __dlpack__() call hands out a fresh copy."""

    def __init__(self, shape_and_bytes, dtype_name):
        self._shape, self._data = shape_and_bytes
        self._dtype = dtype_name

    def __dlpack__(self, stream=None, max_version=None, dl_device=None, copy=None):
        if dl_device is not None and tuple(dl_device)[0] != 1:
            raise BufferError(f"the tensor is on the CPU; DLPack device {tuple(dl_device)} asked for")
        return _qdq.export_dlpack(self._dtype, tuple(self._shape), self._data)

    def __dlpack_device__(self):
        return (1, 0)

    def __repr__(self):
        return f"<qdq.DLPackTensor {self._dtype} {list(self._shape)}>"


def bits_to_values(hex_bits, dtype_name):
    """The value of a "0x..." bit pattern of the dtype, as a Python float."""
    width = numpy_dtype(dtype_name).itemsize
    bits = np.array([int(hex_bits, 16)], dtype=_BITS[width])
    return float(bits.view(numpy_dtype(dtype_name))[0])
