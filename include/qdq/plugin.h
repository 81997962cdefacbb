/* The qdq plug-in ABI, version 1: how a kernel under test is loaded by the conformance harness
 * (`--backend plugin:PATH`).
 *
 * A plug-in is a shared library that exports one C function, qdq_plugin_entry, returning a
 * qdq_plugin that lives as long as the library. The harness loads it in a child process of its
 * own (`plugin:PATH`), so that a crash or a hang in the kernel is reported as that case's failure,
 * or in the harness's own process (`plugin-in-process:PATH`, for debuggers and sanitizers).
 *
 * Data crosses as raw bits: each tensor's elements are packed little-endian at the dtype's width
 * (bfloat16 and float16: 2 bytes, float32: 4, float64: 8), row-major. Calls come from one thread
 * at a time per loaded copy of the library. Everything the harness passes is valid only during
 * the call. This header is plain C99 and is also valid C++.
 */
#ifndef QDQ_PLUGIN_H_
#define QDQ_PLUGIN_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. A harness refuses a plug-in whose qdq_plugin.abi_version
 * differs from its own. */
#define QDQ_PLUGIN_ABI_VERSION 1

/* The name of the entry point the harness looks up. */
#define QDQ_PLUGIN_ENTRY "qdq_plugin_entry"

/* Element types (qdq_tensor.dtype, supports()). */
enum qdq_dtype { QDQ_BFLOAT16 = 1, QDQ_FLOAT16 = 2, QDQ_FLOAT32 = 3, QDQ_FLOAT64 = 4 };

/* QuantizeAndDequantizeV4 (forward) or QuantizeAndDequantizeV4Grad (gradient). */
enum qdq_op { QDQ_FORWARD = 1, QDQ_GRADIENT = 2 };

/* What a call returns: OK, or the error code TensorFlow reports for the case (absl's numbering).
 * When rejecting a case, a plug-in also gives TF's message through qdq_call.set_message. */
enum qdq_code { QDQ_OK = 0, QDQ_INVALID_ARGUMENT = 3, QDQ_NOT_FOUND = 5, QDQ_UNIMPLEMENTED = 12 };

/* A read-only tensor. dims has `rank` entries (none for a scalar); num_elements is their product;
 * data may be NULL when num_elements is 0. */
typedef struct qdq_tensor {
  int32_t dtype;
  int32_t rank;
  const int64_t* dims;
  int64_t num_elements;
  const void* data;
} qdq_tensor;

/* The op's attributes as the case gives them, not yet validated: a plug-in checks them as TF does
 * (num_bits and axis may be out of TF's ranges, round_mode may be any string). */
typedef struct qdq_attrs {
  int32_t signed_input;  /* 0 or 1 */
  int32_t range_given;   /* 0 or 1 */
  int32_t narrow_range;  /* 0 or 1 */
  int32_t reserved;      /* 0 */
  int64_t num_bits;
  int64_t axis;          /* -1: per tensor */
  const char* round_mode; /* "HALF_TO_EVEN", "HALF_UP", or anything else */
} qdq_attrs;

/* The harness's side of one call (opaque). */
typedef struct qdq_result qdq_result;

/* One call of forward() or gradient(). Gradient uses attrs.axis only, and `gradients`. */
typedef struct qdq_call {
  const char* profile; /* the semantics to follow: "tf-cpu", "tf-xla@2.20", ... (see supports) */
  qdq_attrs attrs;
  qdq_tensor input, input_min, input_max;
  qdq_tensor gradients; /* gradient only; rank 0 and no data for forward */
  qdq_result* result;
  /* Output `index` (forward: 0 = output; gradient: 0 = input_backprop, 1 = input_min_backprop,
   * 2 = input_max_backprop) with the given shape, of the input's dtype. Returns a buffer for its
   * elements (not NULL even for none), owned by the harness, or NULL when the harness refuses the
   * shape (then return an error code). A plug-in that returns QDQ_OK allocates every output
   * exactly once. */
  void* (*allocate_output)(qdq_result* result, int32_t index, int32_t rank, const int64_t* dims);
  /* TF's error message for a rejected case (UTF-8, copied; the last call wins). */
  void (*set_message)(qdq_result* result, const char* message);
} qdq_call;

/* What qdq_plugin_entry returns. */
typedef struct qdq_plugin {
  uint32_t abi_version; /* QDQ_PLUGIN_ABI_VERSION */
  uint32_t struct_size; /* sizeof(qdq_plugin) */
  const char* name;     /* shown in reports */
  /* 1 if the plug-in implements `op` for `dtype` under the named profile, else 0. Cases it
   * declines are reported as skipped, never as passed. */
  int32_t (*supports)(const char* profile, int32_t dtype, int32_t op);
  /* Run one case; return a qdq_code. */
  int32_t (*forward)(const qdq_call* call);
  int32_t (*gradient)(const qdq_call* call);
} qdq_plugin;

#if defined(_WIN32)
#define QDQ_PLUGIN_EXPORT __declspec(dllexport)
#else
#define QDQ_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* The one symbol a plug-in exports. */
QDQ_PLUGIN_EXPORT const qdq_plugin* qdq_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* QDQ_PLUGIN_H_ */
