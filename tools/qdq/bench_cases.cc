#include "tools/qdq/bench_cases.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "impl/cpu/common/narrow_float.h"

namespace qdq::tools {

std::vector<BenchConfig> bench_configs(bool channel_last) {
  std::vector<BenchConfig> out;
  for (DType t : kAllDTypes) {
    for (BenchLayout l : {BenchLayout::PerTensor, BenchLayout::PerChannel, BenchLayout::PerChannelLast,
                          BenchLayout::PerFourChannelsLast}) {
      if ((l == BenchLayout::PerChannelLast || l == BenchLayout::PerFourChannelsLast) && !channel_last) continue;
      for (bool given : {true, false}) out.push_back({t, l, given});
    }
  }
  return out;
}

std::string bench_name(const std::string& prefix, const BenchConfig& c) {
  const char* layout = "per-tensor";
  switch (c.layout) {
    case BenchLayout::PerTensor: break;
    case BenchLayout::PerChannel: layout = "per-channel"; break;
    case BenchLayout::PerChannelLast: layout = "per-channel-last"; break;
    case BenchLayout::PerFourChannelsLast: layout = "per-4-channels-last"; break;
  }
  return fmt::format("{}/{}/{}/{}", prefix, dtype_name(c.dtype), layout, c.range_given ? "given" : "measured");
}

Shape bench_shape(const BenchConfig& c, std::int64_t bytes) {
  const std::int64_t n = bytes / byte_width(c.dtype);
  switch (c.layout) {
    case BenchLayout::PerTensor: return Shape{n};
    case BenchLayout::PerChannel: return Shape{std::max<std::int64_t>(1, n / (kBenchChannels * 64)), kBenchChannels, 64};
    case BenchLayout::PerChannelLast:
    case BenchLayout::PerFourChannelsLast: return Shape{std::max<std::int64_t>(1, n / c.channels()), c.channels()};
  }
  return {};
}

ProfileId bench_profile(const BenchConfig& c) {
  const bool narrow = c.dtype == DType::BFloat16 || c.dtype == DType::Float16;
  return narrow || (c.per_channel() && c.range_given) ? ProfileId::TfXla : ProfileId::TfCpu;
}

std::uint64_t bench_bits(DType t, double v) {
  switch (t) {
    case DType::Float64: return std::bit_cast<std::uint64_t>(v);
    case DType::Float32: return std::bit_cast<std::uint32_t>(static_cast<float>(v));
    case DType::BFloat16: return cpu::float_to_bfloat16(static_cast<float>(v));
    case DType::Float16: return cpu::float_to_float16(static_cast<float>(v));
  }
  return 0;
}

OpCase bench_case(const BenchConfig& cfg, std::int64_t bytes) {
  OpCase c;
  c.profile = bench_profile(cfg);
  c.attrs.range_given = cfg.range_given;
  c.attrs.axis = cfg.per_channel() ? 1 : -1;
  c.input = Tensor(cfg.dtype, bench_shape(cfg, bytes));
  for (std::size_t i = 0; i < c.input.size(); ++i) c.input.set_bits(i, bench_bits(cfg.dtype, bench_value(i)));
  const Shape range_shape = cfg.per_channel() ? Shape{cfg.channels()} : Shape{};
  c.input_min = Tensor(cfg.dtype, range_shape);
  c.input_max = Tensor(cfg.dtype, range_shape);
  for (std::size_t i = 0; i < c.input_min.size(); ++i) {
    c.input_min.set_bits(i, bench_bits(cfg.dtype, -5.0));
    c.input_max.set_bits(i, bench_bits(cfg.dtype, 5.0));
  }
  return c;
}

}  // namespace qdq::tools
