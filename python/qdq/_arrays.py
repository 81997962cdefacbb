"""numpy arrays <-> the C++ core's (shape, bytes of the elements' bits), with the dtype checked."""

import numpy as np

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


def to_shape_and_bytes(value, dtype_name, what):
    """(shape, bytes) of an array-like whose dtype must be exactly the case's: nothing is converted,
    since a conversion would round. Raises TypeError naming `what` otherwise."""
    want = numpy_dtype(dtype_name)
    if isinstance(value, (list, tuple, float, int)) or value is None:
        raise TypeError(f"{what}: expected a numpy array of dtype {dtype_name}, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except Exception as e:
        raise TypeError(f"{what}: cannot be read as an array ({e})") from None
    if array.dtype != want:
        raise TypeError(f"{what}: dtype {array.dtype}, but the case's dtype is {dtype_name}")
    return tuple(int(d) for d in array.shape), array.tobytes(order="C")


def bits_to_values(hex_bits, dtype_name):
    """The value of a "0x..." bit pattern of the dtype, as a Python float."""
    width = numpy_dtype(dtype_name).itemsize
    bits = np.array([int(hex_bits, 16)], dtype=_BITS[width])
    return float(bits.view(numpy_dtype(dtype_name))[0])
