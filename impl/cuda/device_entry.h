// The door to the `cuda` backend for the engine, the same in builds with and without CUDA:
// device/cuda_backend.cc implements it where the CUDA backend is built, no_cuda.cc elsewhere.
#pragma once

#include <memory>
#include <string>

#include "reference/contract/backend.h"

namespace qdq::cuda {

// Why the `cuda` backend cannot run here, as the CUDA runtime puts it ("CUDA driver version is
// insufficient for CUDA runtime version", ...) or because this build has no CUDA; "" where it can.
// Asked of the runtime once per process.
const std::string& device_unavailable_reason();

// The `cuda` backend on the current device. Throws std::runtime_error("no CUDA device: <reason>")
// where device_unavailable_reason() is not empty.
std::unique_ptr<Backend> make_device_backend();

}  // namespace qdq::cuda
