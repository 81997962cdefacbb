/* A plug-in that declines everything, built against the installed qdq/plugin.h alone. */
#include <qdq/plugin.h>

static int32_t none(const char* profile, int32_t dtype, int32_t op) {
  (void)profile;
  (void)dtype;
  (void)op;
  return 0;
}
static int32_t unimplemented(const qdq_call* call) {
  (void)call;
  return QDQ_UNIMPLEMENTED;
}
static const qdq_plugin plugin = {QDQ_PLUGIN_ABI_VERSION, sizeof(qdq_plugin), "consumer", none, unimplemented, unimplemented};
const qdq_plugin* qdq_plugin_entry(void) { return &plugin; }
