// Per-target code of bandwidth_loop.h (foreach_target.h, chosen by HWY_DYNAMIC_DISPATCH).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "tools/qdq/bandwidth_loop.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/cache_control.h"
#include "hwy/highway.h"

#include "tools/qdq/bandwidth_loop.h"

HWY_BEFORE_NAMESPACE();
namespace qdq::tools::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void ScaleCopy(const float* x, float* y, std::size_t n, bool stream) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  const auto a = hn::Set(d, 0.75f);
  if (stream) {
    for (std::size_t i = 0; i < n; i += N) hn::Stream(hn::Mul(hn::Load(d, x + i), a), d, y + i);
    hwy::FlushStream();
  } else {
    for (std::size_t i = 0; i < n; i += N) hn::Store(hn::Mul(hn::Load(d, x + i), a), d, y + i);
  }
}

}  // namespace qdq::tools::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace qdq::tools {
HWY_EXPORT(ScaleCopy);
void scale_copy(const float* x, float* y, std::size_t n, bool stream) { HWY_DYNAMIC_DISPATCH(ScaleCopy)(x, y, n, stream); }
}  // namespace qdq::tools
#endif
