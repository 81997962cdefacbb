/* Broken on purpose: the forward output is too short: its first dimension one less (a scalar is
 * answered as shape [0]; an empty input is answered right). The harness reports the shape. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tf_cpu_float32_kernel.h"

/* The kernel computes into `scratch`; the output given to the harness is one element shorter. */
typedef struct {
  const qdq_call* outer;
  float* scratch;
} shortening;

static void* allocate_scratch(qdq_result* result, int32_t index, int32_t rank, const int64_t* dims) {
  shortening* s = (shortening*)result;
  (void)index;
  (void)rank;
  (void)dims;
  return s->scratch;
}

static void forward_message(qdq_result* result, const char* message) {
  shortening* s = (shortening*)result;
  s->outer->set_message(s->outer->result, message);
}

static int32_t forward(const qdq_call* call) {
  const int64_t n = call->input.num_elements;
  shortening s = {call, malloc(((size_t)n + 1) * sizeof(float))};
  if (!s.scratch) return QDQ_UNIMPLEMENTED;
  qdq_call inner = *call;
  inner.result = (qdq_result*)&s;
  inner.allocate_output = allocate_scratch;
  inner.set_message = forward_message;
  const int32_t code = kernel_forward(&inner, nearbyintf);
  if (code == QDQ_OK) {
    int64_t dims[256];
    int32_t rank = call->input.rank;
    memcpy(dims, call->input.dims, (size_t)rank * sizeof(int64_t));
    if (rank == 0) {
      rank = 1;
      dims[0] = 0;
    } else if (n > 0) {
      dims[0] -= 1;
    }
    int64_t kept = 1;
    for (int32_t d = 0; d < rank; ++d) kept *= dims[d];
    float* y = call->allocate_output(call->result, 0, rank, dims);
    if (y) memcpy(y, s.scratch, (size_t)kept * sizeof(float));
  }
  free(s.scratch);
  return code;
}

static const qdq_plugin plugin = {QDQ_PLUGIN_ABI_VERSION, sizeof(qdq_plugin), "broken_output_length", kernel_supports,
                                  forward, kernel_gradient};

const qdq_plugin* qdq_plugin_entry(void) { return &plugin; }
