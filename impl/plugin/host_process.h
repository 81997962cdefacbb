// The plug-in host process (qdq-plugin-host, plugin_host_main.cc) seen from the harness: started
// with posix_spawn (safe in a process with threads), connected by a stream socket, and ended.
#pragma once

#include <sys/types.h>

#include <string>

namespace qdq::plugin {

// Where qdq-plugin-host is: $QDQ_PLUGIN_HOST, else beside the running executable, else in the
// build tree this library was built in. Throws LoadError when none exists.
std::string host_executable();

class HostProcess {
 public:
  // Starts `host_executable plugin_path` with the socket's other end as its fd 3 and its stdout
  // sent to stderr (what a plug-in prints never mixes with the harness's output).
  HostProcess(const std::string& host_executable, const std::string& plugin_path);
  // Closes the socket, gives the host 2 s to exit, then kills it; always reaps it.
  ~HostProcess();
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  int fd() const { return fd_; }  // the harness's end, non-blocking
  // Kills the host (SIGKILL) if `kill_first`, waits for it, and says how it ended: "was killed
  // by signal 11 (SIGSEGV, Segmentation fault)", "exited with status 3".
  std::string end(bool kill_first);

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
};

}  // namespace qdq::plugin
