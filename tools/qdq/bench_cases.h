// The cases `qdq bench` times, the same for every backend: each dtype × per-tensor/per-channel ×
// range given/measured on a tensor of a given size in bytes, and on request per channel with the
// channel axis last (256 channels, and 4).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "impl/cuda/core/hd.h"
#include "reference/contract/backend.h"

namespace qdq::tools {

// Per-channel benchmarks have 256 channels on axis 1:
// - per-channel: [max(1, n / (256 * 64)), 256, 64], runs of 64 elements, so never below 256 x 64
//   elements (the 4 KiB and 32 KiB per-channel rows move 64 KiB or 128 KiB);
// - per-channel-last: [max(1, n / 256), 256], the channel axis last (runs of one element, as in
//   NHWC activations and HWIO weights), never below 256 elements;
// - per-4-channels-last: [max(1, n / 4), 4], the same with 4 channels (rows shorter than a vector,
//   as in RGBA images or a layer of few outputs).
enum class BenchLayout { PerTensor, PerChannel, PerChannelLast, PerFourChannelsLast };
constexpr std::int64_t kBenchChannels = 256;
constexpr std::int64_t kBenchFewChannels = 4;

struct BenchConfig {
  DType dtype;
  BenchLayout layout;
  bool range_given;
  bool per_channel() const { return layout != BenchLayout::PerTensor; }
  // Channels of the range tensors: 1 per tensor.
  std::int64_t channels() const {
    return layout == BenchLayout::PerTensor ? 1 : layout == BenchLayout::PerFourChannelsLast ? kBenchFewChannels : kBenchChannels;
  }
};

// Every dtype x per-tensor, per-channel (and, with `channel_last`, per-channel-last and
// per-4-channels-last) x range given and measured, in the order the benchmarks run.
std::vector<BenchConfig> bench_configs(bool channel_last);

// "<prefix>/float32/per-tensor/given"
std::string bench_name(const std::string& prefix, const BenchConfig& c);
Shape bench_shape(const BenchConfig& c, std::int64_t bytes);
// TF 2.21's kernel rejects per-channel given ranges and has no bfloat16/float16 kernel; XLA's
// semantics (same passes) take both: tf-xla for those, tf-cpu for the rest.
ProfileId bench_profile(const BenchConfig& c);
// The bench's input value of element i: a spread of magnitudes in [-10, 10]. (Host and device:
// the CUDA benchmarks make their inputs on the device.)
QDQ_HD double bench_value(std::uint64_t i) {
  return static_cast<double>(static_cast<std::int64_t>((i * 2654435761u) % 20001) - 10000) / 1000.0;
}
// The bits of v in dtype t (to nearest).
std::uint64_t bench_bits(DType t, double v);
// The whole case: input of bench_value()s, ranges [-5, 5] where given.
OpCase bench_case(const BenchConfig& c, std::int64_t bytes);

}  // namespace qdq::tools
