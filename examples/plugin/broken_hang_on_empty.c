/* Broken on purpose: the forward op never returns for an empty input. Run as plugin:PATH, each
 * such case is reported as hung after --case-timeout, and the plug-in is restarted. */
#include <math.h>
#include <unistd.h>

#include "tf_cpu_float32_kernel.h"

static int32_t forward(const qdq_call* call) {
  if (call->input.num_elements == 0) {
    for (;;) sleep(1);
  }
  return kernel_forward(call, nearbyintf);
}

static const qdq_plugin plugin = {QDQ_PLUGIN_ABI_VERSION, sizeof(qdq_plugin), "broken_hang_on_empty", kernel_supports,
                                  forward, kernel_gradient};

const qdq_plugin* qdq_plugin_entry(void) { return &plugin; }
