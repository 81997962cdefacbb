#include "python/dlpack_io.h"

#include <dlpack/dlpack.h>
#include <pybind11/stl.h>

#include <cstring>
#include <vector>

namespace py = pybind11;

namespace qdq::python {
namespace {

constexpr const char* kCapsuleName = "dltensor";

// The qdq dtype of a DLPack dtype, or "" where the op has no such dtype.
std::string dtype_of(const DLDataType& t) {
  if (t.lanes != 1) return "";
  if (t.code == kDLFloat && t.bits == 16) return "float16";
  if (t.code == kDLFloat && t.bits == 32) return "float32";
  if (t.code == kDLFloat && t.bits == 64) return "float64";
  if (t.code == kDLBfloat && t.bits == 16) return "bfloat16";
  return "";
}

std::string dtype_text(const DLDataType& t) {
  const char* kinds[] = {"int", "uint", "float", "opaque handle", "bfloat", "complex", "bool"};
  const std::string kind = t.code < sizeof(kinds) / sizeof(kinds[0]) ? kinds[t.code] : "code " + std::to_string(t.code);
  return kind + std::to_string(t.bits) + (t.lanes != 1 ? "x" + std::to_string(t.lanes) : "");
}

std::string device_text(const DLDevice& d) {
  switch (d.device_type) {
    case kDLCUDA: return "CUDA device " + std::to_string(d.device_id);
    case kDLCUDAManaged: return "CUDA managed memory";
    case kDLROCM: return "ROCm device " + std::to_string(d.device_id);
    case kDLMetal: return "Metal device " + std::to_string(d.device_id);
    default: return "DLPack device type " + std::to_string(d.device_type);
  }
}

struct Exported {
  DLManagedTensor managed{};
  std::vector<std::int64_t> shape;
  std::string data;
};

void delete_exported(DLManagedTensor* m) { delete static_cast<Exported*>(m->manager_ctx); }

// A capsule still named "dltensor" when collected was never consumed: its tensor is freed here.
void capsule_destructor(PyObject* capsule) {
  if (!PyCapsule_IsValid(capsule, kCapsuleName)) return;  // consumed ("used_dltensor"): the consumer frees it
  auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule, kCapsuleName));
  if (m && m->deleter) m->deleter(m);
}

}  // namespace

py::tuple read_dlpack(const py::capsule& capsule, const std::string& what) {
  if (!PyCapsule_IsValid(capsule.ptr(), kCapsuleName)) {
    throw py::type_error(what + ": __dlpack__() gave no unconsumed DLPack tensor (a capsule named \"dltensor\")");
  }
  const auto* m = static_cast<const DLManagedTensor*>(PyCapsule_GetPointer(capsule.ptr(), kCapsuleName));
  const DLTensor& t = m->dl_tensor;
  if (t.device.device_type != kDLCPU && t.device.device_type != kDLCUDAHost) {
    throw py::type_error(what + ": its memory is on " + device_text(t.device) + ", which the host cannot read");
  }
  const std::string dtype = dtype_of(t.dtype);
  if (dtype.empty()) throw py::type_error(what + ": dtype " + dtype_text(t.dtype) + " is none of bfloat16, float16, float32, float64");
  if (t.ndim < 0) throw py::type_error(what + ": a negative number of dimensions");
  const std::size_t width = t.dtype.bits / 8;
  std::vector<std::int64_t> shape(t.shape, t.shape + t.ndim);
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    if (d < 0) throw py::type_error(what + ": a negative dimension");
    n *= d;
  }
  std::string out(static_cast<std::size_t>(n) * width, '\0');
  if (n > 0) {
    const char* base = static_cast<const char*>(t.data) + t.byte_offset;
    // Row-major element strides (DLPack: none given means compact row-major).
    std::vector<std::int64_t> strides(shape.size());
    std::int64_t s = 1;
    for (std::size_t i = shape.size(); i-- > 0;) {
      strides[i] = t.strides ? t.strides[i] : s;
      s *= shape[i];
    }
    std::vector<std::int64_t> index(shape.size(), 0);
    std::int64_t offset = 0;  // in elements, of `index`
    for (std::int64_t k = 0; k < n; ++k) {
      std::memcpy(out.data() + static_cast<std::size_t>(k) * width, base + offset * static_cast<std::int64_t>(width), width);
      for (std::size_t i = shape.size(); i-- > 0;) {  // the next index, row-major
        offset += strides[i];
        if (++index[i] < shape[i]) break;
        offset -= strides[i] * shape[i];
        index[i] = 0;
      }
    }
  }
  return py::make_tuple(dtype, py::tuple(py::cast(shape)), py::bytes(out));
}

py::capsule export_dlpack(const std::string& dtype, const py::tuple& shape, const py::bytes& data) {
  auto owned = std::make_unique<Exported>();
  owned->shape = shape.cast<std::vector<std::int64_t>>();
  owned->data = data;
  DLDataType t{kDLFloat, 0, 1};
  if (dtype == "bfloat16") t = {kDLBfloat, 16, 1};
  else if (dtype == "float16") t.bits = 16;
  else if (dtype == "float32") t.bits = 32;
  else if (dtype == "float64") t.bits = 64;
  else throw py::value_error("export_dlpack: unknown dtype '" + dtype + "'");
  DLTensor& d = owned->managed.dl_tensor;
  d.data = owned->data.data();
  d.device = {kDLCPU, 0};
  d.ndim = static_cast<std::int32_t>(owned->shape.size());
  d.dtype = t;
  d.shape = owned->shape.data();
  d.strides = nullptr;  // compact, row-major
  d.byte_offset = 0;
  owned->managed.manager_ctx = owned.get();
  owned->managed.deleter = delete_exported;
  PyObject* capsule = PyCapsule_New(&owned->managed, kCapsuleName, capsule_destructor);
  if (!capsule) throw py::error_already_set();
  owned.release();
  return py::reinterpret_steal<py::capsule>(capsule);
}

}  // namespace qdq::python
