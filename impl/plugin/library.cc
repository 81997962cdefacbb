#include "impl/plugin/library.h"

#include <dlfcn.h>

namespace qdq::plugin {

std::int32_t abi_dtype(DType t) {
  switch (t) {
    case DType::BFloat16: return QDQ_BFLOAT16;
    case DType::Float16: return QDQ_FLOAT16;
    case DType::Float32: return QDQ_FLOAT32;
    case DType::Float64: return QDQ_FLOAT64;
  }
  return 0;
}

Library::Library(const std::string& path) {
  const std::string where = "plug-in " + path + ": ";
  // dlopen searches the library path for a bare name; a path with a slash is opened as given.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw LoadError(where + "does not load: " + (why ? why : "unknown reason"));
  }
  dlerror();
  void* entry = dlsym(handle, QDQ_PLUGIN_ENTRY);
  if (!entry) {
    throw LoadError(where + "has no symbol " QDQ_PLUGIN_ENTRY " (export it with extern \"C\" and default visibility)");
  }
  using Entry = const qdq_plugin* (*)();
  api_ = reinterpret_cast<Entry>(entry)();
  if (!api_) throw LoadError(where + QDQ_PLUGIN_ENTRY "() returned NULL");
  if (api_->abi_version != QDQ_PLUGIN_ABI_VERSION) {
    throw LoadError(where + "speaks plug-in ABI version " + std::to_string(api_->abi_version) + "; this harness speaks version " +
                    std::to_string(QDQ_PLUGIN_ABI_VERSION) + " (rebuild it against this qdq/plugin.h)");
  }
  if (api_->struct_size < sizeof(qdq_plugin)) {
    throw LoadError(where + "struct_size " + std::to_string(api_->struct_size) + " is smaller than sizeof(qdq_plugin) " +
                    std::to_string(sizeof(qdq_plugin)));
  }
  if (!api_->name) throw LoadError(where + "has no name (qdq_plugin.name is NULL)");
  for (const auto& [fn, field] : {std::pair{reinterpret_cast<const void*>(api_->supports), "supports"},
                                  std::pair{reinterpret_cast<const void*>(api_->forward), "forward"},
                                  std::pair{reinterpret_cast<const void*>(api_->gradient), "gradient"}}) {
    if (!fn) throw LoadError(where + "qdq_plugin." + field + " is NULL");
  }
  hello_.abi_version = api_->abi_version;
  hello_.name = std::string(api_->name).substr(0, 256);
  for (ProfileId p : kAllProfiles) {
    const std::string name(profile_name(p));
    for (DType t : kAllDTypes) {
      for (Op op : {Op::Forward, Op::Gradient}) {
        hello_.supports[wire::capability_index(p, t, op)] =
            api_->supports(name.c_str(), abi_dtype(t), op == Op::Forward ? QDQ_FORWARD : QDQ_GRADIENT) != 0;
      }
    }
  }
}

}  // namespace qdq::plugin
