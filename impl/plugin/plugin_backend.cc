#include "impl/plugin/plugin_backend.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>

#include "impl/plugin/abi_call.h"
#include "impl/plugin/wire.h"

namespace qdq::plugin {
namespace {

bool capable(const wire::Hello& h, Op op, ProfileId p, DType t) { return h.supports[wire::capability_index(p, t, op)] != 0; }
bool capable_any(const wire::Hello& h, ProfileId p, DType t) {
  return capable(h, Op::Forward, p, t) || capable(h, Op::Gradient, p, t);
}

// One Library per path in this process (dlopen would share it anyway).
std::shared_ptr<const Library> load(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Library>> loaded;
  std::lock_guard lock(mutex);
  auto& l = loaded[path];
  if (!l) l = std::make_shared<const Library>(path);
  return l;
}

using Clock = std::chrono::steady_clock;

// Reads frames from the host's socket, each one whole, waiting at most until a deadline.
class FrameReader {
 public:
  explicit FrameReader(int fd) : fd_(fd) {}
  enum class Status { Frame, Closed, TimedOut };
  // The next frame (kind, payload) whose payload is at most `limit` bytes, waiting until the
  // deadline; throws WireError for a malformed header, std::runtime_error for a socket error.
  Status next(Clock::time_point deadline, std::uint64_t limit, wire::Kind& kind, std::vector<std::uint8_t>& payload) {
    for (;;) {
      if (take(limit, kind, payload)) return Status::Frame;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return Status::TimedOut;
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1 << 30)));
      if (ready < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      if (ready > 0 && !fill()) return take(limit, kind, payload) ? Status::Frame : Status::Closed;
    }
  }
  // A whole frame already read, if there is one (no waiting).
  bool take(std::uint64_t limit, wire::Kind& kind, std::vector<std::uint8_t>& payload) {
    if (buffer_.size() < wire::kHeaderBytes) return false;
    const auto [k, length] = wire::read_header(buffer_.data(), limit);
    if (buffer_.size() - wire::kHeaderBytes < length) return false;
    const auto end = buffer_.begin() + static_cast<std::ptrdiff_t>(wire::kHeaderBytes + length);
    kind = k;
    payload.assign(buffer_.begin() + wire::kHeaderBytes, end);
    buffer_.erase(buffer_.begin(), end);
    return true;
  }
  // Reads what is there without waiting; false at end of file (the host is gone).
  bool fill() {
    std::uint8_t chunk[1 << 16];
    for (;;) {
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        buffer_.insert(buffer_.end(), chunk, chunk + n);
        if (static_cast<std::size_t>(n) < sizeof chunk) return true;
        continue;
      }
      if (n == 0) return false;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      return false;  // ECONNRESET: the host is gone
    }
  }

 private:
  int fd_;
  std::vector<std::uint8_t> buffer_;
};

// Writes `bytes` from `at` on as far as the socket takes them without waiting; false when the
// host is gone.
bool push(int fd, const std::vector<std::uint8_t>& bytes, std::size_t& at) {
  while (at < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      at += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
  }
  return true;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

}  // namespace

InProcessBackend::InProcessBackend(const std::string& path)
    : library_(load(path)), name_("plugin-in-process " + library_->hello().name) {}

bool InProcessBackend::supports(ProfileId p, DType t) const { return capable_any(library_->hello(), p, t); }
bool InProcessBackend::supports_op(Op op, ProfileId p, DType t) const { return capable(library_->hello(), op, p, t); }

Outcome InProcessBackend::run(const OpCase& c) {
  BatchAnswer a = call_plugin(library_->api(), c);
  if (!a.failure.empty()) throw std::runtime_error(a.failure);
  return std::move(a.outcome);
}

std::vector<BatchAnswer> InProcessBackend::run_batch(std::span<const OpCase* const> cases) {
  std::vector<BatchAnswer> answers;
  for (const OpCase* c : cases) answers.push_back(call_plugin(library_->api(), *c));
  return answers;
}

IsolatedBackend::IsolatedBackend(const std::string& path, double case_timeout_s)
    : path_(path), host_(host_executable()), timeout_s_(case_timeout_s) {
  start();
  name_ = "plugin " + hello_.name;
}

IsolatedBackend::~IsolatedBackend() = default;

bool IsolatedBackend::supports(ProfileId p, DType t) const { return capable_any(hello_, p, t); }
bool IsolatedBackend::supports_op(Op op, ProfileId p, DType t) const { return capable(hello_, op, p, t); }

void IsolatedBackend::start() {
  process_.reset();
  process_ = std::make_unique<HostProcess>(host_, path_);
  FrameReader reader(process_->fd());
  wire::Kind kind;
  std::vector<std::uint8_t> payload;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s_));
  FrameReader::Status s;
  try {
    s = reader.next(deadline, wire::kMaxMessageBytes + 4096, kind, payload);
  } catch (const std::exception& e) {
    process_->end(true);
    process_.reset();
    throw LoadError("plug-in " + path_ + ": the host process sent a malformed hello: " + e.what());
  }
  if (s != FrameReader::Status::Frame) {
    const std::string how = process_->end(s == FrameReader::Status::TimedOut);
    process_.reset();
    throw LoadError("plug-in " + path_ + ": the plug-in process " + how +
                    (s == FrameReader::Status::TimedOut ? " after no hello within " + seconds_text(timeout_s_) : " before saying hello"));
  }
  if (kind == wire::Kind::LoadError) {
    process_.reset();
    throw LoadError(wire::decode_message(payload));
  }
  if (kind != wire::Kind::Hello) throw LoadError("plug-in " + path_ + ": the host process did not begin with a hello");
  hello_ = wire::decode_hello(payload);
}

Outcome IsolatedBackend::run(const OpCase& c) {
  const OpCase* one[] = {&c};
  std::vector<BatchAnswer> a = run_batch(one);
  if (!a[0].failure.empty()) throw std::runtime_error(a[0].failure);
  return std::move(a[0].outcome);
}

std::vector<BatchAnswer> IsolatedBackend::run_batch(std::span<const OpCase* const> cases) {
  std::vector<BatchAnswer> answers(cases.size());
  const auto timeout = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s_));
  std::size_t next = 0;  // the first case without an answer
  while (next < cases.size()) {
    if (!process_) {
      try {
        start();
      } catch (const std::exception& e) {
        for (; next < cases.size(); ++next) answers[next].failure = std::string("the plug-in could not be restarted: ") + e.what();
        break;
      }
    }
    std::vector<std::uint8_t> out;
    for (std::size_t i = next; i < cases.size(); ++i) {
      const std::vector<std::uint8_t> f = wire::frame(wire::Kind::Case, wire::encode_case(*cases[i]));
      out.insert(out.end(), f.begin(), f.end());
    }
    std::size_t sent = 0;
    FrameReader reader(process_->fd());
    auto deadline = Clock::now() + timeout;
    std::string lost;  // why the host was lost on case `next`
    bool kill = false;
    while (next < cases.size() && lost.empty()) {
      // A host gone takes no more cases; the answers it sent before are read first.
      if (!push(process_->fd(), out, sent)) sent = out.size();
      // Wait for an answer, or for room to send more.
      pollfd p{process_->fd(), static_cast<short>(POLLIN | (sent < out.size() ? POLLOUT : 0)), 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        lost = "no answer within " + seconds_text(timeout_s_) + " (--case-timeout): the plug-in hung";
        kill = true;
        break;
      }
      if (::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1 << 30))) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) {
        continue;
      }
      wire::Kind kind;
      std::vector<std::uint8_t> payload;
      try {
        // Whatever has arrived; the answers complete so far, then whether the host is still there.
        const bool open = reader.fill();
        while (next < cases.size() && reader.take(wire::answer_limit(*cases[next]), kind, payload)) {
          if (kind == wire::Kind::Answer) answers[next].outcome = wire::decode_outcome(payload, *cases[next]);
          else if (kind == wire::Kind::Failure) answers[next].failure = wire::decode_message(payload);
          else throw wire::WireError("a message of kind " + std::to_string(static_cast<int>(kind)) + " where an answer belongs");
          deadline = Clock::now() + timeout;
          ++next;
        }
        if (!open && next < cases.size()) lost = "the plug-in process died";
      } catch (const std::exception& e) {
        lost = std::string("the plug-in process sent a malformed answer (") + e.what() + ")";
        kill = true;
      }
    }
    if (lost.empty()) break;
    const std::string how = process_->end(kill);
    process_.reset();
    answers[next].failure = lost + " on this case" + (kill ? ", and was killed" : " (it " + how + ")") +
                            "; a new plug-in process takes the cases after it";
    ++next;
  }
  return answers;
}

}  // namespace qdq::plugin
