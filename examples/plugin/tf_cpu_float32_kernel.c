#include "tf_cpu_float32_kernel.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmmintrin.h> /* MXCSR: flush to zero (bit 15), denormals are zero (bit 6) */

int32_t kernel_supports(const char* profile, int32_t dtype, int32_t op) {
  (void)op;
  return dtype == QDQ_FLOAT32 && strcmp(profile, "tf-cpu") == 0;
}

/* Rejects the case with TF's code and a printf-formatted message. */
static int32_t reject(const qdq_call* call, int32_t code, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = vsnprintf(NULL, 0, format, args);
  va_end(args);
  char* message = malloc((size_t)n + 1);
  if (message) {
    va_start(args, format);
    vsnprintf(message, (size_t)n + 1, format, args);
    va_end(args);
    call->set_message(call->result, message);
    free(message);
  }
  return code;
}

static int fits_int32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* A float as TF 2.21 prints it in messages: "%.6g", and "nan" whatever the sign. */
static void format_value(char* out, size_t size, float v) {
  if (isnan(v)) snprintf(out, size, "nan");
  else snprintf(out, size, "%.6g", (double)v);
}

/* The channel geometry: the input as [outer, channels, inner] (per tensor: one channel of all).
 * Channel ch's elements are k = (o * channels + ch) * inner + i for o < outer and i < inner. */
typedef struct {
  int64_t outer, channels, inner;
} geometry;

static geometry geometry_of(const qdq_tensor* t, int64_t axis) {
  geometry g = {1, 1, t->num_elements};
  if (axis < 0) return g;
  g.channels = t->dims[axis];
  g.inner = 1;
  for (int32_t d = 0; d < (int32_t)axis; ++d) g.outer *= t->dims[d];
  for (int32_t d = (int32_t)axis + 1; d < t->rank; ++d) g.inner *= t->dims[d];
  return g;
}

#define FOR_EACH_IN_CHANNEL(g, ch, k)            \
  for (int64_t o_ = 0; o_ < (g).outer; ++o_)     \
    for (int64_t i_ = 0, k = ((o_ * (g).channels + (ch)) * (g).inner); i_ < (g).inner; ++i_, ++k)

static int32_t check_forward(const qdq_call* call) {
  const qdq_attrs* a = &call->attrs;
  if (strcmp(a->round_mode, "HALF_UP") != 0 && strcmp(a->round_mode, "HALF_TO_EVEN") != 0) {
    return reject(call, QDQ_INVALID_ARGUMENT,
                  "Value for attr 'round_mode' of \"%s\" is not in the list of allowed values: \"HALF_TO_EVEN\", "
                  "\"HALF_UP\"\n\t; NodeDef: {{node QuantizeAndDequantizeV4}}; Op<name=QuantizeAndDequantizeV4; "
                  "signature=input:T, input_min:T, input_max:T -> output:T; attr=signed_input:bool,default=true; "
                  "attr=num_bits:int,default=8; attr=range_given:bool,default=false; attr=T:type,allowed=[DT_BFLOAT16, "
                  "DT_HALF, DT_FLOAT, DT_DOUBLE]; attr=round_mode:string,default=\"HALF_TO_EVEN\",allowed=[\"HALF_TO_EVEN\", "
                  "\"HALF_UP\"]; attr=narrow_range:bool,default=false; attr=axis:int,default=-1>",
                  a->round_mode);
  }
  if (!fits_int32(a->axis)) {
    return reject(call, QDQ_INVALID_ARGUMENT, "Attr axis has value %lld out of range for an int32", (long long)a->axis);
  }
  if (!fits_int32(a->num_bits)) {
    return reject(call, QDQ_INVALID_ARGUMENT, "Attr num_bits has value %lld out of range for an int32", (long long)a->num_bits);
  }
  if (a->num_bits <= 0 || a->num_bits >= (a->signed_input ? 62 : 63)) {
    return reject(call, QDQ_INVALID_ARGUMENT, "num_bits is out of range: %lld with signed_input_ %d", (long long)a->num_bits,
                  a->signed_input ? 1 : 0);
  }
  if (a->axis < -1) return reject(call, QDQ_INVALID_ARGUMENT, "Axis must be at least -1. Found %lld", (long long)a->axis);
  if (a->axis != -1 && a->axis >= call->input.rank) {
    /* TF holds axis in an int: axis + 1 wraps at INT32_MAX. */
    return reject(call, QDQ_INVALID_ARGUMENT, "Shape must be at least rank %d but is rank %d",
                  (int32_t)((uint32_t)a->axis + 1u), call->input.rank);
  }
  if (!a->range_given) return QDQ_OK;
  if (call->input_min.rank != 0) return reject(call, QDQ_INVALID_ARGUMENT, "input_min must be a scalar.");
  if (call->input_max.rank != 0) return reject(call, QDQ_INVALID_ARGUMENT, "input_max must be a scalar.");
  if (a->axis != -1) {
    return reject(call, QDQ_INVALID_ARGUMENT, "Shape must be rank 1 for input_min_tensor when the axis is specified");
  }
  const float lo = *(const float*)call->input_min.data, hi = *(const float*)call->input_max.data;
  if (!(lo <= hi)) { /* under DAZ, as the kernel compares: subnormals are zeros, NaN fails */
    char a_text[64], b_text[64];
    format_value(a_text, sizeof a_text, (float)(double)lo); /* the conversion to double flushes under DAZ */
    format_value(b_text, sizeof b_text, (float)(double)hi);
    return reject(call, QDQ_INVALID_ARGUMENT, "Invalid range: input_min %s > input_max %s", a_text, b_text);
  }
  return QDQ_OK;
}

static int32_t forward(const qdq_call* call, round_fn half_to_even) {
  int32_t code = check_forward(call);
  if (code != QDQ_OK) return code;
  const qdq_attrs* a = &call->attrs;
  float* y = call->allocate_output(call->result, 0, call->input.rank, call->input.dims);
  if (!y) return reject(call, QDQ_UNIMPLEMENTED, "no output buffer");
  const float* x = call->input.data;
  const geometry g = geometry_of(&call->input, a->axis);

  /* The integer range, exact in int64, then converted to float (rounding to nearest). */
  const int b = (int)a->num_bits;
  const int64_t qlo = a->signed_input ? -((int64_t)1 << (b - 1)) + (a->narrow_range ? 1 : 0) : 0;
  const int64_t qhi = a->signed_input ? ((int64_t)1 << (b - 1)) - 1 : ((int64_t)1 << b) - 1;
  const float qmin = (float)qlo, qmax = (float)qhi;
  const int half_up = strcmp(a->round_mode, "HALF_UP") == 0;

  for (int64_t ch = 0; ch < g.channels; ++ch) {
    float lo, hi;
    if (a->range_given) { /* per tensor only: TF 2.21 rejects given ranges per channel (check_forward) */
      lo = ((const float*)call->input_min.data)[0];
      hi = ((const float*)call->input_max.data)[0];
    } else { /* the channel's min and max, NaN skipped */
      lo = INFINITY;
      hi = -INFINITY;
      FOR_EACH_IN_CHANNEL(g, ch, k) {
        if (isnan(x[k])) continue;
        if (x[k] < lo) lo = x[k];
        if (hi < x[k]) hi = x[k];
      }
    }
    /* The scale from the side that gives the smaller one; its inverse; the bounds adjusted. */
    const float p_lo = qmin * lo, p_hi = qmax * hi;
    const float s_lo = 0 < p_lo ? qmin / lo : FLT_MAX, s_hi = 0 < p_hi ? qmax / hi : FLT_MAX;
    float scale, inv, clamp_lo, clamp_hi;
    if (s_lo < s_hi) {
      scale = s_lo;
      inv = lo / qmin;
      clamp_lo = lo;
      clamp_hi = qmax * inv;
    } else {
      scale = s_hi;
      inv = hi / qmax;
      clamp_lo = qmin * inv;
      clamp_hi = hi;
    }
    FOR_EACH_IN_CHANNEL(g, ch, k) {
      float v = x[k];
      if (a->range_given) { /* std::max(std::min(v, hi'), lo'): a NaN v stays NaN */
        const float m = clamp_hi < v ? clamp_hi : v;
        v = m < clamp_lo ? clamp_lo : m;
      }
      const float s = v * scale;
      float r;
      if (half_up) {
        const float t = s + 0.5f;
        r = floorf(t);
      } else {
        r = half_to_even(s);
      }
      y[k] = r * inv;
    }
  }
  return QDQ_OK;
}

static int32_t check_gradient(const qdq_call* call) {
  const int64_t axis = call->attrs.axis;
  const qdq_tensor *x = &call->input, *g = &call->gradients, *mn = &call->input_min, *mx = &call->input_max;
  if (!fits_int32(axis)) return reject(call, QDQ_INVALID_ARGUMENT, "Attr axis has value %lld out of range for an int32", (long long)axis);
  if (axis < -1) return reject(call, QDQ_INVALID_ARGUMENT, "Axis must be at least -1. Found %lld", (long long)axis);
  if (axis != -1 && axis >= x->rank) {
    /* sic: TF's message has no space before "but". */
    return reject(call, QDQ_INVALID_ARGUMENT,
                  "Axis should be -1 or 0 or a positive value less than %dbut given axis value was %lld", x->rank,
                  (long long)axis);
  }
  int same = g->rank == x->rank;
  for (int32_t d = 0; same && d < x->rank; ++d) same = g->dims[d] == x->dims[d];
  if (!same) return reject(call, QDQ_INVALID_ARGUMENT, "gradient and input must be the same size");
  if (mn->rank > 1) return reject(call, QDQ_INVALID_ARGUMENT, "Input min tensor must have dimension 0 or 1. Received %d.", mn->rank);
  if (mx->rank > 1) return reject(call, QDQ_INVALID_ARGUMENT, "Input max tensor must have dimension 0 or 1. Received %d.", mx->rank);
  if (axis != -1) {
    const int64_t depth = x->dims[axis];
    if (mn->rank != 1) return reject(call, QDQ_INVALID_ARGUMENT, "Shape must be rank 1 for input_min_tensor when the axis is specified");
    if (mx->rank != 1) return reject(call, QDQ_INVALID_ARGUMENT, "Shape must be rank 1 for input_max_tensor when the axis is specified");
    if (mn->dims[0] != depth) {
      return reject(call, QDQ_INVALID_ARGUMENT, "min has incorrect size, expected %lld was %lld", (long long)depth, (long long)mn->dims[0]);
    }
    if (mx->dims[0] != depth) {
      return reject(call, QDQ_INVALID_ARGUMENT, "max has incorrect size, expected %lld was %lld", (long long)depth, (long long)mx->dims[0]);
    }
    return QDQ_OK;
  }
  if (mn->rank != 0) return reject(call, QDQ_INVALID_ARGUMENT, "input_min must be a scalar if axis is unspecified");
  if (mx->rank != 0) return reject(call, QDQ_INVALID_ARGUMENT, "input_max must be a scalar if axis is unspecified");
  return QDQ_OK;
}

static int32_t gradient(const qdq_call* call) {
  int32_t code = check_gradient(call);
  if (code != QDQ_OK) return code;
  const qdq_tensor *x = &call->input, *mn = &call->input_min;
  float* dx = call->allocate_output(call->result, 0, x->rank, x->dims);
  float* dmin = call->allocate_output(call->result, 1, mn->rank, mn->dims);
  float* dmax = call->allocate_output(call->result, 2, mn->rank, mn->dims);
  if (!dx || !dmin || !dmax) return reject(call, QDQ_UNIMPLEMENTED, "no output buffer");
  memset(dmin, 0, (size_t)mn->num_elements * sizeof(float));
  memset(dmax, 0, (size_t)mn->num_elements * sizeof(float));
  const geometry geo = geometry_of(x, call->attrs.axis);
  const float *xs = x->data, *gs = call->gradients.data, *lo = mn->data, *hi = call->input_max.data;
  for (int64_t ch = 0; ch < geo.channels; ++ch) {
    FOR_EACH_IN_CHANNEL(geo, ch, k) {
      const float inside = lo[ch] <= xs[k] && xs[k] <= hi[ch] ? 1.0f : 0.0f;
      dx[k] = gs[k] * inside;
    }
  }
  return QDQ_OK;
}

/* Runs f with FTZ and DAZ set, as TF's CPU threads do, and the caller's MXCSR restored after. */
int32_t kernel_forward(const qdq_call* call, round_fn half_to_even) {
  const unsigned int saved = _mm_getcsr();
  _mm_setcsr(saved | 0x8040u);
  const int32_t code = forward(call, half_to_even);
  _mm_setcsr(saved);
  return code;
}

int32_t kernel_gradient(const qdq_call* call) {
  const unsigned int saved = _mm_getcsr();
  _mm_setcsr(saved | 0x8040u);
  const int32_t code = gradient(call);
  _mm_setcsr(saved);
  return code;
}
