/* Broken on purpose: the forward op dereferences a null pointer when the input holds a NaN. Run
 * as plugin:PATH, each such case is reported as a failure naming SIGSEGV, and the run goes on. */
#include <math.h>
#include <stddef.h>

#include "tf_cpu_float32_kernel.h"

static int32_t forward(const qdq_call* call) {
  const float* x = call->input.data;
  for (int64_t k = 0; k < call->input.num_elements; ++k) {
    if (isnan(x[k])) {
      int* volatile nowhere = NULL; /* volatile: the compiler cannot see that it is null */
      *nowhere = 1;
    }
  }
  return kernel_forward(call, nearbyintf);
}

static const qdq_plugin plugin = {QDQ_PLUGIN_ABI_VERSION, sizeof(qdq_plugin), "broken_segfault_on_nan", kernel_supports,
                                  forward, kernel_gradient};

const qdq_plugin* qdq_plugin_entry(void) { return &plugin; }
