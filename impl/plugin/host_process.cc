#include "impl/plugin/host_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "impl/plugin/library.h"

extern char** environ;

namespace qdq::plugin {
namespace {

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    const char* text = sigdescr_np(sig);
    return "was killed by signal " + std::to_string(sig) + " (SIG" + (abbrev ? abbrev : "?") + ", " + (text ? text : "?") + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

bool executable(const std::filesystem::path& p) { return ::access(p.c_str(), X_OK) == 0; }

}  // namespace

std::string host_executable() {
  if (const char* env = std::getenv("QDQ_PLUGIN_HOST"); env && *env) {
    if (!executable(env)) throw LoadError(std::string("QDQ_PLUGIN_HOST=") + env + " is not an executable file");
    return env;
  }
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && executable(self.parent_path() / "qdq-plugin-host")) return self.parent_path() / "qdq-plugin-host";
  const std::filesystem::path built = QDQ_PLUGIN_HOST_BUILT;
  if (executable(built)) return built;
  throw LoadError("cannot find qdq-plugin-host (looked beside " + self.string() + " and at " + built.string() +
                  "); set QDQ_PLUGIN_HOST to its path");
}

HostProcess::HostProcess(const std::string& host, const std::string& plugin_path) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) throw std::runtime_error(errno_text("socketpair"));
  // The host's end above fd 3, so that dup2 onto 3 always makes a fresh descriptor without FD_CLOEXEC.
  const int theirs = ::fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
  ::close(sv[1]);
  if (theirs < 0) {
    ::close(sv[0]);
    throw std::runtime_error(errno_text("fcntl"));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, theirs, 3);
  posix_spawn_file_actions_adddup2(&actions, 2, 1);
  std::string arg0 = host, arg1 = plugin_path;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  const int rc = ::posix_spawn(&pid_, host.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(theirs);
  if (rc != 0) {
    ::close(sv[0]);
    throw LoadError("cannot start " + host + ": " + std::strerror(rc));
  }
  fd_ = sv[0];
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

std::string HostProcess::end(bool kill_first) {
  if (pid_ < 0) return "already ended";
  int status = 0;
  // Without kill_first the host has closed its end and is exiting: 2 s to do so, then it is killed.
  for (int i = 0; !kill_first && i < 200; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return describe(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return describe(status);
}

HostProcess::~HostProcess() {
  if (fd_ >= 0) ::close(fd_);  // the host reads end-of-file and exits
  end(false);
}

}  // namespace qdq::plugin
