// qdq-plugin-host PATH: the child process in which `--backend plugin:PATH` runs a plug-in. It
// loads the library, says hello (its name and capabilities) or why it cannot, then answers each
// case frame on fd 3 with an answer or a failure frame, until the harness closes the socket.
// What the plug-in does to this process (a crash, a hang, a scribble) stays here; the harness
// reads only frames, checked (wire.h).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <memory>
#include <vector>

#include "impl/plugin/abi_call.h"
#include "impl/plugin/library.h"
#include "impl/plugin/wire.h"

namespace {

constexpr int kSocket = 3;

bool read_exact(std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    const ssize_t got = ::read(kSocket, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

bool write_all(const std::vector<std::uint8_t>& bytes) {
  const std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  while (n > 0) {
    const ssize_t put = ::write(kSocket, p, n);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return false;
    p += put;
    n -= static_cast<std::size_t>(put);
  }
  return true;
}

bool send(qdq::plugin::wire::Kind kind, const std::vector<std::uint8_t>& payload) {
  return write_all(qdq::plugin::wire::frame(kind, payload));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace qdq::plugin;
  if (argc != 2) {
    std::fprintf(stderr, "usage: qdq-plugin-host PLUGIN (started by qdq with the harness's socket as fd 3)\n");
    return 2;
  }
  std::unique_ptr<Library> library;
  try {
    library = std::make_unique<Library>(argv[1]);
  } catch (const std::exception& e) {
    send(wire::Kind::LoadError, wire::encode_message(e.what()));
    return 0;
  }
  if (!send(wire::Kind::Hello, wire::encode_hello(library->hello()))) return 0;
  // Cases are at most what the harness holds in memory; the limit only guards against a broken stream.
  constexpr std::uint64_t kMaxCase = std::uint64_t{1} << 40;
  std::uint8_t header[wire::kHeaderBytes];
  std::vector<std::uint8_t> payload;
  while (read_exact(header, sizeof header)) {
    std::uint64_t length = 0;
    try {
      const auto [kind, n] = wire::read_header(header, kMaxCase);
      if (kind != wire::Kind::Case) throw wire::WireError("not a case");
      length = n;
    } catch (const std::exception& e) {  // the stream is out of step: nothing after this can be read
      send(wire::Kind::Failure, wire::encode_message(std::string("qdq-plugin-host: ") + e.what()));
      return 1;
    }
    payload.resize(length);
    if (!read_exact(payload.data(), length)) return 0;
    qdq::BatchAnswer a;
    try {
      a = call_plugin(library->api(), wire::decode_case(payload));
    } catch (const std::exception& e) {
      a.failure = std::string("qdq-plugin-host: ") + e.what();
    }
    const bool sent = a.failure.empty() ? send(wire::Kind::Answer, wire::encode_outcome(a.outcome))
                                        : send(wire::Kind::Failure, wire::encode_message(a.failure));
    if (!sent) return 0;
  }
  return 0;
}
