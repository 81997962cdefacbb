// The messages between the harness and its plug-in host process (plugin_host_main.cc), over one
// stream socket: frames of {u32 kind, u64 payload length, payload}, native byte order (both ends
// run on one machine). Everything read is bounds-checked: a malformed or hostile frame throws
// WireError naming what is wrong, never reads out of bounds, and never allocates more than the
// bytes that actually arrived.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "reference/contract/backend.h"

namespace qdq::plugin::wire {

struct WireError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Kind : std::uint32_t {
  Hello = 1,      // host -> harness, once: the plug-in loaded (Hello) ...
  LoadError = 2,  // ... or why it did not (a message)
  Case = 3,       // harness -> host: one case
  Answer = 4,     // host -> harness: the case's outcome
  Failure = 5,    // host -> harness: why the case has no outcome (a message)
};

inline constexpr std::size_t kHeaderBytes = 12;

// Capabilities: supports(profile, dtype, op) for every profile, dtype and op, one byte each.
using Capabilities = std::array<std::uint8_t, kAllProfiles.size() * kAllDTypes.size() * 2>;
std::size_t capability_index(ProfileId p, DType t, Op op);

struct Hello {
  std::uint32_t abi_version = 0;
  std::string name;
  Capabilities supports{};
};

// A frame's bytes: header and payload.
std::vector<std::uint8_t> frame(Kind kind, const std::vector<std::uint8_t>& payload);
// The header's kind and payload length; throws WireError for an unknown kind or a length above `limit`.
std::pair<Kind, std::uint64_t> read_header(const std::uint8_t* header, std::uint64_t limit);

std::vector<std::uint8_t> encode_hello(const Hello& h);
Hello decode_hello(const std::vector<std::uint8_t>& payload);

std::vector<std::uint8_t> encode_message(const std::string& m);
std::string decode_message(const std::vector<std::uint8_t>& payload);

std::vector<std::uint8_t> encode_case(const OpCase& c);
OpCase decode_case(const std::vector<std::uint8_t>& payload);

std::vector<std::uint8_t> encode_outcome(const Outcome& o);
// An outcome for case c: each output must have c's dtype, and data of its shape's length.
Outcome decode_outcome(const std::vector<std::uint8_t>& payload, const OpCase& c);

// The most bytes an Answer to c may take: its outputs as the op defines them, with room for
// wrongly shaped ones (a plug-in may allocate up to kSpareElements more elements per output than
// the case's output has; see abi_call.h) and a message.
std::uint64_t answer_limit(const OpCase& c);
inline constexpr std::int64_t kSpareElements = std::int64_t{1} << 20;
inline constexpr std::size_t kMaxMessageBytes = 1 << 16;

}  // namespace qdq::plugin::wire
