// Tensors in and out of the Python package through DLPack (dlpack.h, the legacy unversioned
// capsule "dltensor" that every framework's __dlpack__() returns by default), so that torch, JAX
// and CuPy arrays cross without the user converting them.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

namespace qdq::python {

// (dtype name, shape tuple, bytes of the elements' bits in row-major order) of the tensor that a
// "dltensor" capsule holds, read where it lies in host memory (CPU or CUDA pinned host memory),
// whatever its strides. The capsule is left unconsumed: its own destructor frees the tensor.
// Throws TypeError naming `what` for a device the host cannot read, a dtype the op has no use for
// (ints, complex, vector lanes) or a capsule that is not a DLPack tensor.
pybind11::tuple read_dlpack(const pybind11::capsule& capsule, const std::string& what);

// A "dltensor" capsule owning a copy of (shape, bytes) of dtype `dtype` (a qdq dtype name), on the
// CPU, row-major: what a framework's from_dlpack() takes without copying again.
pybind11::capsule export_dlpack(const std::string& dtype, const pybind11::tuple& shape, const pybind11::bytes& data);

}  // namespace qdq::python
