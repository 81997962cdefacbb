/* The plug-in: TF's CPU kernel for float32, ported to C (tf_cpu_float32_kernel.c). Run it with
 *   qdq conformance --backend plugin:path/to/libtf_cpu_float32.so --profile tf-cpu --dtype float32 */
#include <math.h>

#include "tf_cpu_float32_kernel.h"

static int32_t forward(const qdq_call* call) { return kernel_forward(call, nearbyintf); }

static const qdq_plugin plugin = {QDQ_PLUGIN_ABI_VERSION, sizeof(qdq_plugin), "tf_cpu_float32", kernel_supports, forward,
                                  kernel_gradient};

const qdq_plugin* qdq_plugin_entry(void) { return &plugin; }
