/* Broken on purpose: built against a different plug-in ABI version. The harness refuses to load
 * it (exit 2) and says which versions disagree. */
#include <math.h>

#include "tf_cpu_float32_kernel.h"

static int32_t forward(const qdq_call* call) { return kernel_forward(call, nearbyintf); }

static const qdq_plugin plugin = {QDQ_PLUGIN_ABI_VERSION + 1, sizeof(qdq_plugin), "broken_abi_version", kernel_supports,
                                  forward, kernel_gradient};

const qdq_plugin* qdq_plugin_entry(void) { return &plugin; }
