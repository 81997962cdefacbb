#include "golden/golden_file.h"

#include <hdf5.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <limits>
#include <optional>

namespace qdq::golden {
namespace {

// ---- HDF5 plumbing (C API; the C++ bindings throw their own types and print on failure) ----

// Owns one HDF5 identifier.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle& operator=(Handle&&) = delete;
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// Keeps HDF5 from printing its error stack while a file is read or written: failures become
// GoldenError messages instead.
class QuietHdf5 {
 public:
  QuietHdf5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

Handle string_type() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

// The provenance held in string attributes of the root group.
constexpr std::pair<const char*, std::string Provenance::*> kStringAttributes[] = {
    {"generator", &Provenance::generator}, {"generator_version", &Provenance::generator_version},
    {"profile", &Provenance::profile},     {"answers_from", &Provenance::answers_from},
    {"tf_version", &Provenance::tf_version}, {"tf_mode", &Provenance::tf_mode},
    {"device", &Provenance::device},       {"created", &Provenance::created},
    {"git_commit", &Provenance::git_commit}, {"suites", &Provenance::suites},
    {"dtypes", &Provenance::dtypes}};

constexpr std::array<const char*, 8> kRoles = {"input", "input_min", "input_max", "gradients",
                                               "output", "input_backprop", "input_min_backprop",
                                               "input_max_backprop"};

// The tensors of a case by role; nullptr where the role does not apply.
std::array<const Tensor*, 8> roles_of(const GoldenCase& c) {
  const OpCase& o = c.op_case;
  const auto& out = c.answer.outputs;
  const bool forward = o.op == Op::Forward;
  auto output = [&](std::size_t i) { return i < out.size() ? &out[i] : nullptr; };
  return {&o.input, &o.input_min, &o.input_max, forward ? nullptr : &o.gradients,
          forward ? output(0) : nullptr, forward ? nullptr : output(0), forward ? nullptr : output(1),
          forward ? nullptr : output(2)};
}

// ---- canonical content checksum ----

class Crc {
 public:
  void bytes(const void* p, std::size_t n) { crc_ = crc32(crc_, static_cast<const Bytef*>(p), static_cast<uInt>(n)); }
  void text(const std::string& s) {
    integer(static_cast<std::int64_t>(s.size()));
    bytes(s.data(), s.size());
  }
  void integer(std::int64_t v) { bytes(&v, sizeof v); }
  std::uint32_t value() const { return static_cast<std::uint32_t>(crc_); }

 private:
  uLong crc_ = crc32(0L, Z_NULL, 0);
};

std::string_view op_text(Op op) { return op == Op::Forward ? "forward" : "gradient"; }

// ---- the whole-file seal in the HDF5 user block ----
// HDF5 leaves the first kUserBlock bytes of the file to its user. A golden file keeps there a text
// header with the file's length and the crc32 of every byte after the block, written last and
// checked first: a damaged or truncated file is rejected before the HDF5 library parses it (HDF5
// itself can crash on damaged metadata). h5dump and other HDF5 tools skip the block.
constexpr std::size_t kUserBlock = 512;
constexpr char kSealMagic[] = "qdq-golden-file\n";

std::uint32_t crc_of(const std::vector<char>& bytes, std::size_t from) {
  Crc c;
  c.bytes(bytes.data() + from, bytes.size() - from);
  return c.value();
}

std::vector<char> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw GoldenError("cannot read the file");
  return {std::istreambuf_iterator<char>(in), {}};
}

void seal(const std::string& path) {
  std::vector<char> bytes = read_all(path);
  if (bytes.size() < kUserBlock) throw GoldenError("HDF5 wrote less than its user block");
  char header[kUserBlock] = {};
  std::snprintf(header, sizeof header, "%slength %zu\ncrc32 %08x\n", kSealMagic, bytes.size(), crc_of(bytes, kUserBlock));
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  f.write(header, sizeof header);
  if (!f) throw GoldenError("cannot write the file's seal");
}

void check_seal(const std::string& path) {
  const std::vector<char> bytes = read_all(path);
  if (bytes.size() < kUserBlock || std::memcmp(bytes.data(), kSealMagic, sizeof kSealMagic - 1) != 0) {
    throw GoldenError("not a qdq golden file (no qdq seal in the HDF5 user block; too short, another kind of file, "
                      "or its first bytes are damaged)");
  }
  std::size_t length = 0;
  unsigned crc = 0;
  const std::string header(bytes.data(), kUserBlock);
  if (std::sscanf(header.c_str() + sizeof kSealMagic - 1, "length %zu\ncrc32 %8x", &length, &crc) != 2) {
    throw GoldenError("the seal in the HDF5 user block is damaged");
  }
  if (length != bytes.size()) {
    throw GoldenError("the file has " + std::to_string(bytes.size()) + " bytes, its seal says " + std::to_string(length) +
                      " (truncated or extended)");
  }
  const std::uint32_t actual = crc_of(bytes, kUserBlock);
  if (actual != crc) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "file checksum mismatch (sealed %08x, computed %08x): the file is damaged", crc, actual);
    throw GoldenError(buf);
  }
}

// ---- writing ----

void check(herr_t status, const std::string& what) {
  if (status < 0) throw GoldenError(what);
}

void write_attr(hid_t obj, const char* name, const std::string& value) {
  Handle type = string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  const char* p = value.c_str();
  check(attr.ok() ? H5Awrite(attr.get(), type.get(), &p) : -1, std::string("cannot write attribute ") + name);
}

void write_attr(hid_t obj, const char* name, std::uint64_t value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(obj, name, H5T_STD_U64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  check(attr.ok() ? H5Awrite(attr.get(), H5T_NATIVE_UINT64, &value) : -1, std::string("cannot write attribute ") + name);
}

// Numbers are stored chunked (chunk_entries at most), shuffled, deflated and with HDF5's Fletcher-32
// checksum per chunk.
template <typename T>
void write_numbers(hid_t group, const char* name, const std::vector<T>& v, hid_t file_type, hid_t mem_type,
                   hsize_t chunk_entries = 1 << 16) {
  const hsize_t n = v.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (n > 0) {
    const hsize_t chunk = std::min<hsize_t>(n, chunk_entries);
    H5Pset_chunk(dcpl.get(), 1, &chunk);
    H5Pset_fletcher32(dcpl.get());
    H5Pset_shuffle(dcpl.get());
    H5Pset_deflate(dcpl.get(), 6);
  }
  Handle set(H5Dcreate2(group, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), H5Dclose);
  check(set.ok() && (n == 0 || H5Dwrite(set.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0) ? 0 : -1,
        std::string("cannot write dataset ") + name);
}

Handle make_group(hid_t parent, const char* name) {
  Handle g(H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  if (!g.ok()) throw GoldenError(std::string("cannot create group ") + name);
  return g;
}

// ---- schema version 2: the text columns as enumerations and as deflated bytes ----

// The members of the enumerations, spelled as version 1's strings; each member's value is its index
// here. Readers go by the names a file's enumeration holds, never by these values.
std::vector<std::string> op_members() { return {"forward", "gradient"}; }
std::vector<std::string> dtype_members() {
  std::vector<std::string> v;
  for (DType t : kAllDTypes) v.emplace_back(dtype_name(t));
  return v;
}
std::vector<std::string> status_members() {
  std::vector<std::string> v = {"OK"};
  for (Code c : kErrorCodes) v.emplace_back(code_name(c));
  return v;
}

// Writes a uint8-based HDF5 enumeration of `members`; codes[i] is the index of case i's member.
void write_enum(hid_t group, const char* name, const std::vector<std::string>& members, const std::vector<std::uint8_t>& codes) {
  Handle type(H5Tenum_create(H5T_NATIVE_UINT8), H5Tclose);
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto value = static_cast<std::uint8_t>(i);
    check(type.ok() ? H5Tenum_insert(type.get(), members[i].c_str(), &value) : -1, std::string("cannot make the enumeration of ") + name);
  }
  write_numbers(group, name, codes, type.get(), type.get());
}

std::uint8_t member_code(const std::vector<std::string>& members, std::string_view name) {
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (members[i] == name) return static_cast<std::uint8_t>(i);
  }
  throw GoldenError("'" + std::string(name) + "' is not a member of its enumeration");
}

// Writes a text column as the group `name` holding `bytes` (uint8: every case's text, concatenated,
// no terminators) and `length` (uint32[N]: case i's text is the length[i] bytes after those of the
// cases before it). Both are deflated like the numbers, which variable-length strings cannot be.
constexpr hsize_t kTextChunk = 1 << 19;  // bytes: the size of the widest numbers' chunks
void write_text(hid_t group, const char* name, const std::vector<std::string>& texts) {
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint32_t> length;
  length.reserve(texts.size());
  for (const std::string& t : texts) {
    if (t.size() > std::numeric_limits<std::uint32_t>::max()) throw GoldenError(std::string("a text of ") + name + " is over 4 GiB");
    bytes.insert(bytes.end(), t.begin(), t.end());
    length.push_back(static_cast<std::uint32_t>(t.size()));
  }
  Handle g = make_group(group, name);
  write_numbers(g.get(), "bytes", bytes, H5T_STD_U8LE, H5T_NATIVE_UINT8, kTextChunk);
  write_numbers(g.get(), "length", length, H5T_STD_U32LE, H5T_NATIVE_UINT32);
}

// ---- reading ----

struct Reader {
  hid_t file;
  std::uintmax_t file_bytes;  // no dataset holds more than deflate can expand this to

  bool exists(const std::string& path) const {
    // Walk the path so that a missing intermediate group is not an error.
    std::size_t pos = 0;
    while ((pos = path.find('/', pos + 1)) != std::string::npos) {
      if (H5Lexists(file, path.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
    }
    return H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0;
  }

  Handle open(const std::string& path, std::size_t expected, bool check_length) const {
    if (!exists(path)) throw GoldenError("missing dataset " + path);
    Handle set(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!set.ok()) throw GoldenError("cannot open dataset " + path);
    Handle space(H5Dget_space(set.get()), H5Sclose);
    hsize_t n = 0;
    if (!space.ok() || H5Sget_simple_extent_ndims(space.get()) != 1) throw GoldenError("dataset " + path + " is not one-dimensional");
    H5Sget_simple_extent_dims(space.get(), &n, nullptr);
    if (check_length && n != expected) {
      throw GoldenError("dataset " + path + " has " + std::to_string(n) + " entries, expected " + std::to_string(expected));
    }
    // A damaged extent must not make the reader allocate without bound: deflate expands at most
    // 1032-fold, and a chunk never written reads as fill values that the file does not hold.
    Handle type(H5Dget_type(set.get()), H5Tclose);
    const std::size_t width = type.ok() ? std::max<std::size_t>(H5Tget_size(type.get()), 1) : 1;
    if (n > (file_bytes * 1100 + (1u << 20)) / width) {
      throw GoldenError("dataset " + path + " has " + std::to_string(n) + " entries, more than the file can hold (damaged?)");
    }
    return set;
  }

  std::size_t length(const std::string& path) const {
    Handle set = open(path, 0, false);
    Handle space(H5Dget_space(set.get()), H5Sclose);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space.get(), &n, nullptr);
    return n;
  }

  // Version 1: a text column as variable-length strings.
  std::vector<std::string> strings(const std::string& path, std::size_t n) const {
    Handle set = open(path, n, true);
    Handle ftype(H5Dget_type(set.get()), H5Tclose);
    if (H5Tget_class(ftype.get()) != H5T_STRING || H5Tis_variable_str(ftype.get()) <= 0) {
      throw GoldenError("dataset " + path + " does not hold variable-length strings");
    }
    std::vector<char*> raw(n, nullptr);
    Handle type = string_type();
    if (n > 0 && H5Dread(set.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0) {
      throw GoldenError("cannot read dataset " + path + " (damaged?)");
    }
    std::vector<std::string> out;
    for (char* p : raw) out.emplace_back(p ? p : "");
    if (n > 0) {
      Handle space(H5Dget_space(set.get()), H5Sclose);
      H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, raw.data());
    }
    return out;
  }

  template <typename T>
  std::vector<T> numbers(const std::string& path, std::size_t n, bool check_length, hid_t mem_type, H5T_class_t cls) const {
    Handle set = open(path, n, check_length);
    Handle ftype(H5Dget_type(set.get()), H5Tclose);
    if (H5Tget_class(ftype.get()) != cls || H5Tget_size(ftype.get()) != sizeof(T)) {
      throw GoldenError("dataset " + path + " has the wrong type");
    }
    if (!check_length) n = length(path);
    std::vector<T> out(n);
    if (n > 0 && H5Dread(set.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
      throw GoldenError("cannot read dataset " + path + ": its checksum failed or the file is damaged");
    }
    return out;
  }

  // Version 2: a uint8-based enumeration, decoded to its members' names (which the caller checks).
  std::vector<std::string> enum_names(const std::string& path, std::size_t n) const {
    Handle set = open(path, n, true);
    Handle ftype(H5Dget_type(set.get()), H5Tclose);
    if (H5Tget_class(ftype.get()) != H5T_ENUM || H5Tget_size(ftype.get()) != 1) {
      throw GoldenError("dataset " + path + " is not a one-byte enumeration");
    }
    std::array<std::optional<std::string>, 256> names;
    const int members = H5Tget_nmembers(ftype.get());
    if (members < 0) throw GoldenError("dataset " + path + ": cannot read its enumeration's members");
    for (int m = 0; m < members; ++m) {
      std::uint8_t value = 0;
      char* name = H5Tget_member_name(ftype.get(), static_cast<unsigned>(m));
      const bool ok = name && H5Tget_member_value(ftype.get(), static_cast<unsigned>(m), &value) >= 0;
      if (ok) names[value] = name;
      H5free_memory(name);
      if (!ok) throw GoldenError("dataset " + path + ": cannot read its enumeration's members");
    }
    // Read in the file's own type (one byte: no conversion, so no value is remapped on the way).
    std::vector<std::uint8_t> codes(n);
    if (n > 0 && H5Dread(set.get(), ftype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, codes.data()) < 0) {
      throw GoldenError("cannot read dataset " + path + ": its checksum failed or the file is damaged");
    }
    std::vector<std::string> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (!names[codes[i]]) {
        throw GoldenError("dataset " + path + ": case " + std::to_string(i) + " holds " + std::to_string(codes[i]) +
                          ", which is not a member of its enumeration");
      }
      out.push_back(*names[codes[i]]);
    }
    return out;
  }

  // Version 2: a text column, the group `path` with `bytes` and `length` (write_text).
  std::vector<std::string> text(const std::string& path, std::size_t n) const {
    const auto length = numbers<std::uint32_t>(path + "/length", n, true, H5T_NATIVE_UINT32, H5T_INTEGER);
    const auto bytes = numbers<std::uint8_t>(path + "/bytes", 0, false, H5T_NATIVE_UINT8, H5T_INTEGER);
    std::uint64_t total = 0;
    for (std::uint32_t l : length) total += l;
    if (total != bytes.size()) {
      throw GoldenError("dataset " + path + "/length: the lengths add up to " + std::to_string(total) + " bytes, " + path +
                        "/bytes holds " + std::to_string(bytes.size()));
    }
    std::vector<std::string> out;
    out.reserve(n);
    std::size_t at = 0;
    for (std::uint32_t l : length) {
      out.emplace_back(reinterpret_cast<const char*>(bytes.data()) + at, l);
      at += l;
    }
    return out;
  }

  std::string attr_string(const char* name) const {
    if (H5Aexists(file, name) <= 0) throw GoldenError(std::string("missing attribute ") + name);
    Handle attr(H5Aopen(file, name, H5P_DEFAULT), H5Aclose);
    Handle ftype(H5Aget_type(attr.get()), H5Tclose);
    if (!attr.ok() || H5Tget_class(ftype.get()) != H5T_STRING || H5Tis_variable_str(ftype.get()) <= 0) {
      throw GoldenError(std::string("attribute ") + name + " is not a string");
    }
    Handle type = string_type();
    char* p = nullptr;
    if (H5Aread(attr.get(), type.get(), &p) < 0) throw GoldenError(std::string("cannot read attribute ") + name);
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
  }

  std::uint64_t attr_u64(const char* name) const {
    if (H5Aexists(file, name) <= 0) throw GoldenError(std::string("missing attribute ") + name);
    Handle attr(H5Aopen(file, name, H5P_DEFAULT), H5Aclose);
    Handle ftype(H5Aget_type(attr.get()), H5Tclose);
    std::uint64_t v = 0;
    if (!attr.ok() || H5Tget_class(ftype.get()) != H5T_INTEGER || H5Aread(attr.get(), H5T_NATIVE_UINT64, &v) < 0) {
      throw GoldenError(std::string("attribute ") + name + " is not an integer");
    }
    return v;
  }
};

Code parse_status(const std::string& s, const std::string& id) {
  if (s == "OK") return Code::Ok;
  for (Code c : kErrorCodes) {
    if (code_name(c) == s) return c;
  }
  throw GoldenError("case " + id + ": unknown status '" + s + "'");
}

}  // namespace

std::uint32_t content_crc32(const GoldenFile& file) {
  Crc crc;
  crc.text(file.provenance.profile);
  crc.integer(static_cast<std::int64_t>(file.cases.size()));
  for (const GoldenCase& c : file.cases) {
    const OpCase& o = c.op_case;
    const Attrs& a = o.attrs;
    crc.text(c.id);
    crc.text(std::string(op_text(o.op)));
    crc.text(std::string(dtype_name(o.input.dtype)));
    for (std::int64_t v : {std::int64_t{a.signed_input}, a.num_bits, std::int64_t{a.range_given},
                           std::int64_t{a.narrow_range}, a.axis}) {
      crc.integer(v);
    }
    crc.text(a.round_mode);
    crc.text(c.answer.status.ok() ? "OK" : std::string(code_name(c.answer.status.code)));
    crc.text(c.answer.status.message);
    crc.text(c.answer.undefined_reason);
    for (const Tensor* t : roles_of(c)) {
      if (!t) {
        crc.integer(-1);
        continue;
      }
      crc.integer(static_cast<std::int64_t>(t->shape.size()));
      for (std::int64_t d : t->shape) crc.integer(d);
      crc.bytes(t->bytes.data(), t->bytes.size());
    }
    for (std::size_t k = 0; k < c.answer.undefined.size(); ++k) {
      if (c.answer.undefined[k]) crc.integer(static_cast<std::int64_t>(k));
    }
    crc.integer(-1);
  }
  return crc.value();
}

void write_golden(const std::string& path, GoldenFile file) {
  const QuietHdf5 quiet;
  file.provenance.content_crc32 = content_crc32(file);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    {
      Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
      H5Pset_userblock(fcpl.get(), kUserBlock);
      Handle f(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT), H5Fclose);
      if (!f.ok()) throw GoldenError("cannot create");
      const Provenance& p = file.provenance;
      write_attr(f.get(), "schema", std::string("qdq-golden"));
      write_attr(f.get(), "schema_version", static_cast<std::uint64_t>(kSchemaVersion));
      for (const auto& [name, member] : kStringAttributes) write_attr(f.get(), name, p.*member);
      write_attr(f.get(), "seed", p.seed);
      write_attr(f.get(), "case_count", static_cast<std::uint64_t>(file.cases.size()));
      write_attr(f.get(), "content_crc32", static_cast<std::uint64_t>(p.content_crc32));

      const std::vector<std::string> op_names = op_members(), dtype_names = dtype_members(), status_names = status_members();
      std::vector<std::string> ids, round_modes, messages, reasons;
      std::vector<std::uint8_t> ops, dtypes, status, signed_input, range_given, narrow_range;
      std::vector<std::int64_t> num_bits, axis, shapes, undefined_start, undefined_count, undefined_index;
      std::array<std::vector<std::int32_t>, kRoles.size()> rank;
      std::array<std::vector<std::int64_t>, kRoles.size()> shape_start, data_start;
      std::vector<std::uint16_t> bits16;
      std::vector<std::uint32_t> bits32;
      std::vector<std::uint64_t> bits64;
      for (const GoldenCase& c : file.cases) {
        const OpCase& o = c.op_case;
        ids.push_back(c.id);
        ops.push_back(member_code(op_names, op_text(o.op)));
        dtypes.push_back(member_code(dtype_names, dtype_name(o.input.dtype)));
        signed_input.push_back(o.attrs.signed_input);
        num_bits.push_back(o.attrs.num_bits);
        range_given.push_back(o.attrs.range_given);
        round_modes.push_back(o.attrs.round_mode);
        narrow_range.push_back(o.attrs.narrow_range);
        axis.push_back(o.attrs.axis);
        status.push_back(member_code(status_names, c.answer.status.ok() ? "OK" : code_name(c.answer.status.code)));
        messages.push_back(c.answer.status.message);
        reasons.push_back(c.answer.undefined_reason);
        const auto tensors = roles_of(c);
        for (std::size_t r = 0; r < kRoles.size(); ++r) {
          const Tensor* t = tensors[r];
          rank[r].push_back(t ? static_cast<std::int32_t>(t->shape.size()) : -1);
          shape_start[r].push_back(static_cast<std::int64_t>(shapes.size()));
          const int width = byte_width(o.input.dtype);
          data_start[r].push_back(static_cast<std::int64_t>(width == 2 ? bits16.size() : width == 4 ? bits32.size() : bits64.size()));
          if (!t) continue;
          shapes.insert(shapes.end(), t->shape.begin(), t->shape.end());
          for (std::size_t k = 0; k < t->size(); ++k) {
            if (width == 2) bits16.push_back(static_cast<std::uint16_t>(t->bits(k)));
            else if (width == 4) bits32.push_back(static_cast<std::uint32_t>(t->bits(k)));
            else bits64.push_back(t->bits(k));
          }
        }
        undefined_start.push_back(static_cast<std::int64_t>(undefined_index.size()));
        for (std::size_t k = 0; k < c.answer.undefined.size(); ++k) {
          if (c.answer.undefined[k]) undefined_index.push_back(static_cast<std::int64_t>(k));
        }
        undefined_count.push_back(static_cast<std::int64_t>(undefined_index.size()) - undefined_start.back());
      }
      Handle cases = make_group(f.get(), "cases");
      write_text(cases.get(), "id", ids);
      write_enum(cases.get(), "op", op_names, ops);
      write_enum(cases.get(), "dtype", dtype_names, dtypes);
      write_numbers(cases.get(), "signed_input", signed_input, H5T_STD_U8LE, H5T_NATIVE_UINT8);
      write_numbers(cases.get(), "num_bits", num_bits, H5T_STD_I64LE, H5T_NATIVE_INT64);
      write_numbers(cases.get(), "range_given", range_given, H5T_STD_U8LE, H5T_NATIVE_UINT8);
      write_text(cases.get(), "round_mode", round_modes);
      write_numbers(cases.get(), "narrow_range", narrow_range, H5T_STD_U8LE, H5T_NATIVE_UINT8);
      write_numbers(cases.get(), "axis", axis, H5T_STD_I64LE, H5T_NATIVE_INT64);
      write_enum(cases.get(), "status", status_names, status);
      write_text(cases.get(), "message", messages);
      write_text(cases.get(), "undefined_reason", reasons);
      write_numbers(cases.get(), "undefined_start", undefined_start, H5T_STD_I64LE, H5T_NATIVE_INT64);
      write_numbers(cases.get(), "undefined_count", undefined_count, H5T_STD_I64LE, H5T_NATIVE_INT64);
      Handle tensors = make_group(f.get(), "tensors");
      for (std::size_t r = 0; r < kRoles.size(); ++r) {
        Handle g = make_group(tensors.get(), kRoles[r]);
        write_numbers(g.get(), "rank", rank[r], H5T_STD_I32LE, H5T_NATIVE_INT32);
        write_numbers(g.get(), "shape_start", shape_start[r], H5T_STD_I64LE, H5T_NATIVE_INT64);
        write_numbers(g.get(), "data_start", data_start[r], H5T_STD_I64LE, H5T_NATIVE_INT64);
      }
      write_numbers(tensors.get(), "shapes", shapes, H5T_STD_I64LE, H5T_NATIVE_INT64);
      Handle data = make_group(f.get(), "data");
      write_numbers(data.get(), "bits16", bits16, H5T_STD_U16LE, H5T_NATIVE_UINT16);
      write_numbers(data.get(), "bits32", bits32, H5T_STD_U32LE, H5T_NATIVE_UINT32);
      write_numbers(data.get(), "bits64", bits64, H5T_STD_U64LE, H5T_NATIVE_UINT64);
      write_numbers(data.get(), "undefined_index", undefined_index, H5T_STD_I64LE, H5T_NATIVE_INT64);
      if (H5Fflush(f.get(), H5F_SCOPE_GLOBAL) < 0) throw GoldenError("cannot flush");
    }
    seal(tmp);
    std::filesystem::rename(tmp, path);
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw GoldenError(path + ": " + e.what());
  }
}

GoldenFile read_golden(const std::string& path) {
  const QuietHdf5 quiet;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw GoldenError(path + ": no such file");
  try {
    check_seal(path);
    if (H5Fis_hdf5(path.c_str()) <= 0) throw GoldenError("not an HDF5 file, or its superblock is damaged");
    Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.ok()) throw GoldenError("HDF5 cannot open it (damaged or truncated)");
    std::error_code size_error;
    const std::uintmax_t file_bytes = std::filesystem::file_size(path, size_error);
    const Reader rd{f.get(), size_error ? 0 : file_bytes};
    GoldenFile out;
    Provenance& p = out.provenance;
    std::string schema;
    try {
      schema = rd.attr_string("schema");
    } catch (const GoldenError&) {
      throw GoldenError("not a qdq golden file (no 'schema' attribute)");
    }
    if (schema != "qdq-golden") throw GoldenError("not a qdq golden file (schema is '" + schema + "')");
    const std::uint64_t version = rd.attr_u64("schema_version");
    if (version < kOldestSchemaVersion || version > kSchemaVersion) {
      throw GoldenError("schema version " + std::to_string(version) + " is not supported (this build reads " +
                        std::to_string(kOldestSchemaVersion) + " to " + std::to_string(kSchemaVersion) + ")");
    }
    p.schema_version = static_cast<int>(version);
    for (const auto& [name, member] : kStringAttributes) p.*member = rd.attr_string(name);
    p.seed = rd.attr_u64("seed");
    p.content_crc32 = static_cast<std::uint32_t>(rd.attr_u64("content_crc32"));
    const auto profile_id = parse_profile(p.profile);
    if (!profile_id) throw GoldenError("unknown profile '" + p.profile + "'");
    const std::uint64_t n64 = rd.attr_u64("case_count");
    if (n64 > (1u << 24)) throw GoldenError("case_count " + std::to_string(n64) + " is implausible");
    const std::size_t n = n64;

    // The text columns: version 1's variable-length strings, or version 2's texts and enumerations,
    // decoded to the same strings; everything after this is common to both.
    const bool v1 = p.schema_version == 1;
    auto text = [&](const char* set) { return v1 ? rd.strings(set, n) : rd.text(set, n); };
    auto category = [&](const char* set) { return v1 ? rd.strings(set, n) : rd.enum_names(set, n); };
    const auto ids = text("/cases/id"), ops = category("/cases/op"), dts = category("/cases/dtype");
    const auto modes = text("/cases/round_mode"), status = category("/cases/status");
    const auto messages = text("/cases/message"), reasons = text("/cases/undefined_reason");
    auto u8 = [&](const char* name) { return rd.numbers<std::uint8_t>(name, n, true, H5T_NATIVE_UINT8, H5T_INTEGER); };
    auto i64 = [&](const std::string& name, bool fixed = true) {
      return rd.numbers<std::int64_t>(name, n, fixed, H5T_NATIVE_INT64, H5T_INTEGER);
    };
    const auto signed_input = u8("/cases/signed_input"), range_given = u8("/cases/range_given");
    const auto narrow_range = u8("/cases/narrow_range");
    const auto num_bits = i64("/cases/num_bits"), axis = i64("/cases/axis");
    const auto undefined_start = i64("/cases/undefined_start"), undefined_count = i64("/cases/undefined_count");
    std::array<std::vector<std::int32_t>, kRoles.size()> rank;
    std::array<std::vector<std::int64_t>, kRoles.size()> shape_start, data_start;
    for (std::size_t r = 0; r < kRoles.size(); ++r) {
      const std::string g = std::string("/tensors/") + kRoles[r] + "/";
      rank[r] = rd.numbers<std::int32_t>(g + "rank", n, true, H5T_NATIVE_INT32, H5T_INTEGER);
      shape_start[r] = i64(g + "shape_start");
      data_start[r] = i64(g + "data_start");
    }
    const auto shapes = i64("/tensors/shapes", false);
    const auto bits16 = rd.numbers<std::uint16_t>("/data/bits16", 0, false, H5T_NATIVE_UINT16, H5T_INTEGER);
    const auto bits32 = rd.numbers<std::uint32_t>("/data/bits32", 0, false, H5T_NATIVE_UINT32, H5T_INTEGER);
    const auto bits64 = rd.numbers<std::uint64_t>("/data/bits64", 0, false, H5T_NATIVE_UINT64, H5T_INTEGER);
    const auto undefined_index = i64("/data/undefined_index", false);

    for (std::size_t i = 0; i < n; ++i) {
      const std::string where = "case " + std::to_string(i) + " ('" + ids[i] + "')";
      GoldenCase c;
      c.id = ids[i];
      OpCase& o = c.op_case;
      o.profile = *profile_id;
      if (ops[i] != "forward" && ops[i] != "gradient") throw GoldenError(where + ": unknown op '" + ops[i] + "'");
      o.op = ops[i] == "forward" ? Op::Forward : Op::Gradient;
      const auto t = parse_dtype(dts[i]);
      if (!t) throw GoldenError(where + ": unknown dtype '" + dts[i] + "'");
      o.attrs = {signed_input[i] != 0, num_bits[i], range_given[i] != 0, modes[i], narrow_range[i] != 0, axis[i]};
      c.answer.status = {parse_status(status[i], ids[i]), messages[i]};
      c.answer.undefined_reason = reasons[i];
      const int width = byte_width(*t);
      const std::size_t pool = width == 2 ? bits16.size() : width == 4 ? bits32.size() : bits64.size();
      std::array<Tensor, kRoles.size()> tensors;
      for (std::size_t r = 0; r < kRoles.size(); ++r) {
        const std::int32_t k = rank[r][i];
        if (k < 0) continue;
        const std::int64_t s0 = shape_start[r][i], d0 = data_start[r][i];
        if (k > 32 || s0 < 0 || static_cast<std::size_t>(s0) + k > shapes.size()) {
          throw GoldenError(where + ": " + kRoles[r] + " has a shape outside /tensors/shapes");
        }
        Shape shape(shapes.begin() + s0, shapes.begin() + s0 + k);
        const std::int64_t count = num_elements(shape);
        if (count < 0 || d0 < 0 || static_cast<std::size_t>(d0) > pool || static_cast<std::size_t>(count) > pool - d0) {
          throw GoldenError(where + ": " + kRoles[r] + " has data outside the bits pool");
        }
        Tensor tensor(*t, shape);
        for (std::int64_t e = 0; e < count; ++e) {
          const std::size_t at = static_cast<std::size_t>(d0 + e);
          tensor.set_bits(static_cast<std::size_t>(e), width == 2 ? bits16[at] : width == 4 ? bits32[at] : bits64[at]);
        }
        tensors[r] = std::move(tensor);
      }
      auto present = [&](std::size_t r) { return rank[r][i] >= 0; };
      if (!present(0) || !present(1) || !present(2)) throw GoldenError(where + ": input, input_min or input_max is missing");
      o.input = std::move(tensors[0]);
      o.input_min = std::move(tensors[1]);
      o.input_max = std::move(tensors[2]);
      if (o.op == Op::Gradient) {
        if (!present(3)) throw GoldenError(where + ": a gradient case without gradients");
        o.gradients = std::move(tensors[3]);
      }
      if (c.answer.status.ok()) {
        if (o.op == Op::Forward) {
          if (!present(4)) throw GoldenError(where + ": an OK forward case without output");
          c.answer.outputs.push_back(std::move(tensors[4]));
        } else {
          for (std::size_t r = 5; r < 8; ++r) {
            if (!present(r)) throw GoldenError(where + ": an OK gradient case without " + kRoles[r]);
            c.answer.outputs.push_back(std::move(tensors[r]));
          }
        }
      }
      const std::int64_t u0 = undefined_start[i], uc = undefined_count[i];
      if (u0 < 0 || uc < 0 || static_cast<std::size_t>(u0) > undefined_index.size() ||
          static_cast<std::size_t>(uc) > undefined_index.size() - u0) {
        throw GoldenError(where + ": undefined elements outside /data/undefined_index");
      }
      if (uc > 0) {
        if (c.answer.outputs.empty()) throw GoldenError(where + ": undefined elements but no output");
        c.answer.undefined.assign(c.answer.outputs[0].size(), 0);
        for (std::int64_t e = u0; e < u0 + uc; ++e) {
          const std::int64_t k = undefined_index[e];
          if (k < 0 || static_cast<std::size_t>(k) >= c.answer.undefined.size()) {
            throw GoldenError(where + ": undefined element index " + std::to_string(k) + " is out of range");
          }
          c.answer.undefined[k] = 1;
        }
      }
      out.cases.push_back(std::move(c));
    }
    const std::uint32_t crc = content_crc32(out);
    if (crc != p.content_crc32) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "content checksum mismatch (stored %08x, computed %08x): the file was altered or damaged",
                    p.content_crc32, crc);
      throw GoldenError(buf);
    }
    return out;
  } catch (const GoldenError& e) {
    throw GoldenError(path + ": " + e.what());
  }
}

}  // namespace qdq::golden
