/* Broken on purpose: HALF_TO_EVEN rounds ties away from zero (roundf instead of nearbyintf), a
 * common slip in ports. The harness reports each tie it changes as a MISMATCH. */
#include <math.h>

#include "tf_cpu_float32_kernel.h"

static int32_t forward(const qdq_call* call) { return kernel_forward(call, roundf); }

static const qdq_plugin plugin = {QDQ_PLUGIN_ABI_VERSION, sizeof(qdq_plugin), "broken_ties_away", kernel_supports, forward,
                                  kernel_gradient};

const qdq_plugin* qdq_plugin_entry(void) { return &plugin; }
