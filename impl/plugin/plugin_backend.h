// The two backends that run a user's plug-in (qdq/plugin.h):
//   plugin:PATH            in a child process (qdq-plugin-host), cases sent in batches; a crash, an
//                          abort or a hang past the case timeout is that case's failure, and the
//                          child is started again for the rest;
//   plugin-in-process:PATH in this process, without isolation (for a debugger or a sanitizer, and
//                          to measure what isolation costs).
#pragma once

#include <memory>
#include <string>

#include "impl/plugin/host_process.h"
#include "impl/plugin/library.h"
#include "reference/contract/backend.h"

namespace qdq::plugin {

class InProcessBackend : public Backend {
 public:
  // Throws LoadError (see Library).
  explicit InProcessBackend(const std::string& path);
  std::string_view name() const override { return name_; }
  bool supports(ProfileId profile, DType dtype) const override;
  bool supports_op(Op op, ProfileId profile, DType dtype) const override;
  // A failure of the plug-in's answer (abi_call.h) is thrown as std::runtime_error.
  Outcome run(const OpCase& c) override;
  std::vector<BatchAnswer> run_batch(std::span<const OpCase* const> cases) override;

 private:
  std::shared_ptr<const Library> library_;
  std::string name_;
};

class IsolatedBackend : public Backend {
 public:
  // Starts the host and waits for its hello. Throws LoadError when the host cannot start or the
  // plug-in cannot be used (the host's message), or when no hello comes within case_timeout_s.
  IsolatedBackend(const std::string& path, double case_timeout_s);
  ~IsolatedBackend() override;
  std::string_view name() const override { return name_; }
  bool supports(ProfileId profile, DType dtype) const override;
  bool supports_op(Op op, ProfileId profile, DType dtype) const override;
  // One case as a batch of one; its failure is thrown as std::runtime_error.
  Outcome run(const OpCase& c) override;
  // Every case's answer, in order. Each case has case_timeout_s from the previous answer (or the
  // batch's start); the case the host was on when it died or hung gets the failure, the host is
  // restarted, and the cases after it are sent again.
  std::vector<BatchAnswer> run_batch(std::span<const OpCase* const> cases) override;

 private:
  void start();  // a new host, its hello read (throws LoadError)
  std::string path_, host_, name_;
  double timeout_s_;
  std::unique_ptr<HostProcess> process_;
  wire::Hello hello_;
};

}  // namespace qdq::plugin
