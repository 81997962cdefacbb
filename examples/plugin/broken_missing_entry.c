/* Broken on purpose: the entry point is misspelt, so the library has no qdq_plugin_entry. The
 * harness refuses to load it (exit 2) and names the missing symbol. */
#include <math.h>

#include "tf_cpu_float32_kernel.h"

static int32_t forward(const qdq_call* call) { return kernel_forward(call, nearbyintf); }

static const qdq_plugin plugin = {QDQ_PLUGIN_ABI_VERSION, sizeof(qdq_plugin), "broken_missing_entry", kernel_supports,
                                  forward, kernel_gradient};

QDQ_PLUGIN_EXPORT const qdq_plugin* qdq_plugin_entry_point(void) { return &plugin; }
