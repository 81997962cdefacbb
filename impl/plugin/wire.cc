#include "impl/plugin/wire.h"

#include <cstring>

namespace qdq::plugin::wire {
namespace {

constexpr std::uint32_t kMaxRank = 254;  // TF's limit on a tensor's rank (TensorShape::MaxDimensions)

class Writer {
 public:
  template <typename T>
  void put(T v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof v);
  }
  void put_string(const std::string& s) {
    put<std::uint64_t>(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  void put_tensor(const Tensor& t) {
    put<std::uint8_t>(static_cast<std::uint8_t>(t.dtype));
    put<std::uint32_t>(static_cast<std::uint32_t>(t.shape.size()));
    for (std::int64_t d : t.shape) put<std::int64_t>(d);
    put<std::uint64_t>(t.bytes.size());
    bytes.insert(bytes.end(), t.bytes.begin(), t.bytes.end());
  }
  std::vector<std::uint8_t> bytes;
};

class Reader {
 public:
  explicit Reader(const std::vector<std::uint8_t>& b) : bytes_(b) {}
  template <typename T>
  T get(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, bytes_.data() + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  bool get_bool(const char* what) {
    const auto b = get<std::uint8_t>(what);
    if (b > 1) throw WireError(std::string(what) + ": " + std::to_string(b) + " where 0 or 1 belongs");
    return b == 1;
  }
  std::string get_string(const char* what, std::size_t limit) {
    const auto n = get<std::uint64_t>(what);
    if (n > limit) throw WireError(std::string(what) + ": " + std::to_string(n) + " bytes, more than " + std::to_string(limit));
    need(n, what);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + at_), n);
    at_ += n;
    return s;
  }
  Tensor get_tensor(const char* what) {
    const auto t = get<std::uint8_t>(what);
    if (t >= kAllDTypes.size()) throw WireError(std::string(what) + ": unknown dtype " + std::to_string(t));
    const auto rank = get<std::uint32_t>(what);
    if (rank > kMaxRank) throw WireError(std::string(what) + ": rank " + std::to_string(rank) + " above " + std::to_string(kMaxRank));
    Tensor out;
    out.dtype = static_cast<DType>(t);
    for (std::uint32_t i = 0; i < rank; ++i) {
      const auto d = get<std::int64_t>(what);
      if (d < 0) throw WireError(std::string(what) + ": negative dimension " + std::to_string(d));
      out.shape.push_back(d);
    }
    const std::int64_t n = num_elements(out.shape);
    const auto size = get<std::uint64_t>(what);
    const std::uint64_t width = byte_width(out.dtype);
    if (n < 0 || static_cast<std::uint64_t>(n) > (bytes_.size() - at_) / width || size != static_cast<std::uint64_t>(n) * width) {
      throw WireError(std::string(what) + ": shape " + shape_string(out.shape) + " does not match " + std::to_string(size) +
                      " bytes of data");
    }
    need(size, what);
    out.bytes.assign(bytes_.begin() + static_cast<std::ptrdiff_t>(at_), bytes_.begin() + static_cast<std::ptrdiff_t>(at_ + size));
    at_ += size;
    return out;
  }
  void finish(const char* what) const {
    if (at_ != bytes_.size()) throw WireError(std::string(what) + ": " + std::to_string(bytes_.size() - at_) + " bytes left over");
  }

 private:
  void need(std::uint64_t n, const char* what) const {
    if (n > bytes_.size() - at_) throw WireError(std::string(what) + ": truncated");
  }
  const std::vector<std::uint8_t>& bytes_;
  std::size_t at_ = 0;
};

}  // namespace

std::size_t capability_index(ProfileId p, DType t, Op op) {
  return (static_cast<std::size_t>(p) * kAllDTypes.size() + static_cast<std::size_t>(t)) * 2 + (op == Op::Gradient);
}

std::vector<std::uint8_t> frame(Kind kind, const std::vector<std::uint8_t>& payload) {
  Writer w;
  w.put<std::uint32_t>(static_cast<std::uint32_t>(kind));
  w.put<std::uint64_t>(payload.size());
  w.bytes.insert(w.bytes.end(), payload.begin(), payload.end());
  return std::move(w.bytes);
}

std::pair<Kind, std::uint64_t> read_header(const std::uint8_t* header, std::uint64_t limit) {
  std::uint32_t kind;
  std::uint64_t length;
  std::memcpy(&kind, header, 4);
  std::memcpy(&length, header + 4, 8);
  if (kind < 1 || kind > 5) throw WireError("unknown message kind " + std::to_string(kind));
  if (length > limit) {
    throw WireError("a message of " + std::to_string(length) + " bytes, more than the " + std::to_string(limit) + " allowed here");
  }
  return {static_cast<Kind>(kind), length};
}

std::vector<std::uint8_t> encode_hello(const Hello& h) {
  Writer w;
  w.put<std::uint32_t>(h.abi_version);
  w.put_string(h.name);
  w.bytes.insert(w.bytes.end(), h.supports.begin(), h.supports.end());
  return std::move(w.bytes);
}

Hello decode_hello(const std::vector<std::uint8_t>& payload) {
  Reader r(payload);
  Hello h;
  h.abi_version = r.get<std::uint32_t>("hello");
  h.name = r.get_string("plug-in name", 256);
  for (std::uint8_t& s : h.supports) s = r.get_bool("capabilities");
  r.finish("hello");
  return h;
}

std::vector<std::uint8_t> encode_message(const std::string& m) {
  Writer w;
  w.put_string(m.substr(0, kMaxMessageBytes));
  return std::move(w.bytes);
}

std::string decode_message(const std::vector<std::uint8_t>& payload) {
  Reader r(payload);
  std::string m = r.get_string("message", kMaxMessageBytes);
  r.finish("message");
  return m;
}

std::vector<std::uint8_t> encode_case(const OpCase& c) {
  Writer w;
  w.put<std::uint8_t>(c.op == Op::Gradient);
  w.put<std::uint8_t>(static_cast<std::uint8_t>(c.profile));
  w.put<std::uint8_t>(c.attrs.signed_input);
  w.put<std::uint8_t>(c.attrs.range_given);
  w.put<std::uint8_t>(c.attrs.narrow_range);
  w.put<std::int64_t>(c.attrs.num_bits);
  w.put<std::int64_t>(c.attrs.axis);
  w.put_string(c.attrs.round_mode);
  w.put_tensor(c.input);
  w.put_tensor(c.input_min);
  w.put_tensor(c.input_max);
  if (c.op == Op::Gradient) w.put_tensor(c.gradients);
  return std::move(w.bytes);
}

OpCase decode_case(const std::vector<std::uint8_t>& payload) {
  Reader r(payload);
  OpCase c;
  c.op = r.get_bool("op") ? Op::Gradient : Op::Forward;
  const auto p = r.get<std::uint8_t>("profile");
  if (p >= kAllProfiles.size()) throw WireError("unknown profile " + std::to_string(p));
  c.profile = static_cast<ProfileId>(p);
  c.attrs.signed_input = r.get_bool("signed_input");
  c.attrs.range_given = r.get_bool("range_given");
  c.attrs.narrow_range = r.get_bool("narrow_range");
  c.attrs.num_bits = r.get<std::int64_t>("attrs");
  c.attrs.axis = r.get<std::int64_t>("attrs");
  c.attrs.round_mode = r.get_string("round_mode", kMaxMessageBytes);
  c.input = r.get_tensor("input");
  c.input_min = r.get_tensor("input_min");
  c.input_max = r.get_tensor("input_max");
  if (c.op == Op::Gradient) c.gradients = r.get_tensor("gradients");
  r.finish("case");
  return c;
}

std::vector<std::uint8_t> encode_outcome(const Outcome& o) {
  Writer w;
  w.put<std::uint8_t>(static_cast<std::uint8_t>(o.status.code));
  w.put_string(o.status.message.substr(0, kMaxMessageBytes));
  w.put<std::uint32_t>(static_cast<std::uint32_t>(o.outputs.size()));
  for (const Tensor& t : o.outputs) w.put_tensor(t);
  return std::move(w.bytes);
}

Outcome decode_outcome(const std::vector<std::uint8_t>& payload, const OpCase& c) {
  Reader r(payload);
  Outcome o;
  const auto code = r.get<std::uint8_t>("status");
  if (code > static_cast<std::uint8_t>(Code::ProcessAbort)) throw WireError("unknown status code " + std::to_string(code));
  o.status.code = static_cast<Code>(code);
  o.status.message = r.get_string("message", kMaxMessageBytes);
  const auto n = r.get<std::uint32_t>("outputs");
  const std::uint32_t expected = !o.status.ok() ? 0 : c.op == Op::Forward ? 1 : 3;
  if (n != expected) throw WireError(std::to_string(n) + " outputs where the answer has " + std::to_string(expected));
  for (std::uint32_t i = 0; i < n; ++i) {
    o.outputs.push_back(r.get_tensor("output"));
    if (o.outputs.back().dtype != c.input.dtype) throw WireError("an output of another dtype than the input's");
  }
  r.finish("answer");
  return o;
}

std::uint64_t answer_limit(const OpCase& c) {
  const std::uint64_t width = byte_width(c.input.dtype);
  const std::uint64_t spare = static_cast<std::uint64_t>(kSpareElements) * width + 8 * (kMaxRank + 2);
  const std::uint64_t outputs = c.input.bytes.size() + (c.op == Op::Gradient ? 2 * c.input_min.bytes.size() : 0);
  return outputs + 3 * spare + kMaxMessageBytes + 64;
}

}  // namespace qdq::plugin::wire
