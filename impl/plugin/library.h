// A plug-in library loaded into this process: the file opened, its entry point called, its ABI
// version and table checked, its capabilities read once.
#pragma once

#include <stdexcept>
#include <string>

#include "impl/plugin/wire.h"
#include "qdq/plugin.h"

namespace qdq::plugin {

// The library cannot be used: it does not load, lacks the entry point, or speaks another ABI.
struct LoadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Library {
 public:
  // Loads `path` (RTLD_NOW | RTLD_LOCAL). Throws LoadError naming the path and what is wrong.
  explicit Library(const std::string& path);
  // The library stays loaded until the process ends: unloading code that registered thread-local
  // destructors or atexit handlers would leave them dangling.
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  const qdq_plugin& api() const { return *api_; }
  // The plug-in's name and what it supports (its supports() asked once for every profile, dtype, op).
  const wire::Hello& hello() const { return hello_; }

 private:
  const qdq_plugin* api_ = nullptr;
  wire::Hello hello_;
};

// The plug-in ABI's dtype number for t, and back (0 for an unknown number).
std::int32_t abi_dtype(DType t);

}  // namespace qdq::plugin
