// Golden files: a written file reads back identical, and every kind of damage is reported as a
// GoldenError naming the file, never a crash or silently different content.
#include "golden/golden_file.h"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <zlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <set>

namespace qdq::golden {
namespace {

namespace fs = std::filesystem;

GoldenFile sample() {
  GoldenFile f;
  f.provenance.generator = "golden_file_test";
  f.provenance.generator_version = "0";
  f.provenance.profile = "tf-xla";
  f.provenance.answers_from = "backend:test";
  f.provenance.suites = "edge";
  f.provenance.dtypes = "float32,bfloat16,float64";
  f.provenance.seed = 7;
  std::mt19937_64 rng(1);
  int n = 0;
  for (DType t : {DType::Float32, DType::BFloat16, DType::Float64}) {
    for (Op op : {Op::Forward, Op::Gradient}) {
      for (int k = 0; k < 3; ++k) {
        GoldenCase c;
        c.id = "case/" + std::to_string(n++);
        c.op_case.op = op;
        c.op_case.profile = ProfileId::TfXla;
        c.op_case.attrs.num_bits = 3 + k;
        c.op_case.attrs.axis = k == 2 ? 1 : -1;
        c.op_case.attrs.round_mode = k == 1 ? "HALF_UP" : "HALF_TO_EVEN";
        const Shape shape = k == 0 ? Shape{} : Shape{2, 3};
        auto fill = [&](Shape s) {
          Tensor x(t, std::move(s));
          for (std::size_t i = 0; i < x.size(); ++i) x.set_bits(i, rng() & all_ones(t));
          return x;
        };
        c.op_case.input = fill(shape);
        c.op_case.input_min = fill(k == 2 ? Shape{3} : Shape{});
        c.op_case.input_max = fill(k == 2 ? Shape{3} : Shape{});
        if (op == Op::Gradient) c.op_case.gradients = fill(shape);
        if (k == 1 && op == Op::Forward) {
          c.answer.status = {Code::InvalidArgument, "some message"};
        } else {
          c.answer.outputs.push_back(fill(shape));
          if (op == Op::Gradient) {
            c.answer.outputs.push_back(fill(c.op_case.input_min.shape));
            c.answer.outputs.push_back(fill(c.op_case.input_min.shape));
          }
          if (k == 2) {
            c.answer.undefined.assign(c.answer.outputs[0].size(), 0);
            c.answer.undefined[1] = c.answer.undefined[4] = 1;
            c.answer.undefined_reason = "because";
          }
        }
        f.cases.push_back(std::move(c));
      }
    }
  }
  return f;
}

void expect_same(const GoldenFile& a, const GoldenFile& b) {
  ASSERT_EQ(a.cases.size(), b.cases.size());
  for (std::size_t i = 0; i < a.cases.size(); ++i) {
    const GoldenCase &x = a.cases[i], &y = b.cases[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.op_case.op, y.op_case.op);
    EXPECT_EQ(x.op_case.profile, y.op_case.profile);
    EXPECT_EQ(x.op_case.attrs, y.op_case.attrs);
    EXPECT_EQ(x.op_case.input, y.op_case.input);
    EXPECT_EQ(x.op_case.input_min, y.op_case.input_min);
    EXPECT_EQ(x.op_case.input_max, y.op_case.input_max);
    EXPECT_EQ(x.op_case.gradients, y.op_case.gradients);
    EXPECT_EQ(x.answer.status, y.answer.status);
    EXPECT_EQ(x.answer.outputs, y.answer.outputs);
    EXPECT_EQ(x.answer.undefined, y.answer.undefined);
    EXPECT_EQ(x.answer.undefined_reason, y.answer.undefined_reason);
  }
}

void expect_same_provenance(const Provenance& a, const Provenance& b) {
  for (auto member : {&Provenance::generator, &Provenance::generator_version, &Provenance::profile, &Provenance::answers_from,
                      &Provenance::tf_version, &Provenance::tf_mode, &Provenance::device, &Provenance::created,
                      &Provenance::git_commit, &Provenance::suites, &Provenance::dtypes}) {
    EXPECT_EQ(a.*member, b.*member);
  }
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.content_crc32, b.content_crc32);
}

// ---- changing a written file with the HDF5 API, as someone editing it with HDF5 tools would ----

// Writes the seal again, so that only the reader's own checks stand between a change and the content.
void reseal(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> b{std::istreambuf_iterator<char>(in), {}};
  in.close();
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(b.data() + 512), static_cast<uInt>(b.size() - 512));
  char header[512] = {};
  std::snprintf(header, sizeof header, "qdq-golden-file\nlength %zu\ncrc32 %08lx\n", b.size(), crc);
  std::copy(header, header + 512, b.begin());
  std::ofstream(p, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
}

void tamper(const fs::path& p, const std::function<void(hid_t)>& change) {
  const hid_t file = H5Fopen(p.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  change(file);
  H5Fclose(file);
  reseal(p);
}

template <typename T>
std::vector<T> read_set(hid_t file, const char* path, hid_t mem_type) {
  const hid_t set = H5Dopen2(file, path, H5P_DEFAULT);
  const hid_t space = H5Dget_space(set);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  std::vector<T> v(n);
  if (mem_type < 0) mem_type = H5Dget_type(set);  // the file's own type (an enumeration's raw values)
  EXPECT_GE(H5Dread(set, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0) << path;
  H5Sclose(space);
  H5Dclose(set);
  return v;
}

template <typename T>
void write_set(hid_t file, const char* path, hid_t mem_type, const std::vector<T>& v) {
  const hid_t set = H5Dopen2(file, path, H5P_DEFAULT);
  if (mem_type < 0) mem_type = H5Dget_type(set);
  EXPECT_GE(H5Dwrite(set, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0) << path;
  H5Dclose(set);
}

// Replaces the dataset at `path` with a contiguous one of `type` holding v.
template <typename T>
void replace_set(hid_t file, const char* path, hid_t type, const std::vector<T>& v) {
  H5Ldelete(file, path, H5P_DEFAULT);
  const hsize_t n = v.size();
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t set = H5Dcreate2(file, path, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(set, 0) << path;
  if (n > 0) {
    EXPECT_GE(H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0) << path;
  }
  H5Dclose(set);
  H5Sclose(space);
}

hid_t enum_of(const std::vector<std::pair<const char*, std::uint8_t>>& members) {
  const hid_t t = H5Tenum_create(H5T_NATIVE_UINT8);
  for (const auto& [name, value] : members) H5Tenum_insert(t, name, &value);
  return t;
}

class GoldenFileTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("qdq-golden-test-" + std::to_string(::getpid()));
  fs::path path = dir / "g.h5";
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }

  std::string read_error(const fs::path& p) {
    try {
      read_golden(p.string());
    } catch (const GoldenError& e) {
      return e.what();
    }
    return "(read without error)";
  }
  std::vector<char> bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  void put(const fs::path& p, const std::vector<char>& b) { std::ofstream(p, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size())); }
};

TEST_F(GoldenFileTest, RoundTripsEveryField) {
  const GoldenFile f = sample();
  write_golden(path.string(), f);
  const GoldenFile g = read_golden(path.string());
  expect_same(f, g);
  EXPECT_EQ(g.provenance.profile, "tf-xla");
  EXPECT_EQ(g.provenance.seed, 7u);
  EXPECT_EQ(g.provenance.content_crc32, content_crc32(f));
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path(), path) << "temporary file left behind";
}

TEST_F(GoldenFileTest, MissingFile) {
  EXPECT_EQ(read_error(dir / "nope.h5"), (dir / "nope.h5").string() + ": no such file");
}

TEST_F(GoldenFileTest, NotHdf5AndTruncated) {
  std::ofstream(dir / "text.h5") << "hello, not HDF5\n";
  EXPECT_NE(read_error(dir / "text.h5").find("text.h5: not a qdq golden file"), std::string::npos) << read_error(dir / "text.h5");
  write_golden(path.string(), sample());
  std::vector<char> b = bytes(path);
  for (std::size_t keep : {std::size_t{0}, std::size_t{100}, b.size() / 2, b.size() - 1}) {
    put(dir / "cut.h5", std::vector<char>(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(keep)));
    const std::string e = read_error(dir / "cut.h5");
    EXPECT_EQ(e.rfind((dir / "cut.h5").string() + ": ", 0), 0u) << "kept " << keep << " bytes: " << e;
  }
}

TEST_F(GoldenFileTest, BitFlipsAreDetectedOrHarmless) {
  const GoldenFile f = sample();
  write_golden(path.string(), f);
  const std::vector<char> b = bytes(path);
  int detected = 0, harmless = 0;
  for (std::size_t pos = 0; pos < b.size(); pos += 1 + b.size() / 300) {
    std::vector<char> damaged = b;
    damaged[pos] ^= static_cast<char>(1 << (pos % 8));
    put(dir / "flip.h5", damaged);
    try {
      const GoldenFile g = read_golden((dir / "flip.h5").string());
      expect_same(f, g);  // a flip in unused space: the content must be unchanged
      ++harmless;
    } catch (const GoldenError& e) {
      EXPECT_EQ(std::string(e.what()).rfind((dir / "flip.h5").string() + ": ", 0), 0u) << e.what();
      ++detected;
    }
  }
  EXPECT_GT(detected, 0);
  RecordProperty("detected", std::to_string(detected));
  RecordProperty("harmless", std::to_string(harmless));
}

TEST_F(GoldenFileTest, WrongSchemaAndVersion) {
  {
    hid_t file = H5Fcreate((dir / "other.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(file);
  }
  EXPECT_NE(read_error(dir / "other.h5").find("not a qdq golden file"), std::string::npos);
  for (std::uint64_t version : {std::uint64_t{0}, std::uint64_t{3}, std::uint64_t{1} << 40}) {
    write_golden(path.string(), sample());
    tamper(path, [&](hid_t file) {
      const hid_t attr = H5Aopen(file, "schema_version", H5P_DEFAULT);
      H5Awrite(attr, H5T_NATIVE_UINT64, &version);
      H5Aclose(attr);
    });
    const std::string expected = "schema version " + std::to_string(version) + " is not supported (this build reads 1 to 2)";
    EXPECT_EQ(read_error(path), path.string() + ": " + expected);
  }
}

TEST_F(GoldenFileTest, WritesTheCurrentVersionWhateverTheProvenanceSays) {
  GoldenFile f = sample();
  f.provenance.schema_version = 1;  // e.g. read from a version 1 file
  write_golden(path.string(), f);
  EXPECT_EQ(read_golden(path.string()).provenance.schema_version, kSchemaVersion);
  EXPECT_EQ(kSchemaVersion, 2);
}

TEST_F(GoldenFileTest, ChangedContentFailsTheChecksum) {
  write_golden(path.string(), sample());
  // Change the message bytes in place with the HDF5 API: a well-formed file whose content changed.
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  std::vector<std::uint8_t> text = read_set<std::uint8_t>(file, "/cases/message/bytes", H5T_NATIVE_UINT8);
  ASSERT_FALSE(text.empty());
  text[0] ^= 0x20;
  write_set(file, "/cases/message/bytes", H5T_NATIVE_UINT8, text);
  H5Fclose(file);
  EXPECT_NE(read_error(path).find("file checksum mismatch"), std::string::npos) << read_error(path);
  // Re-sealed by hand, the changed content is still caught by the content checksum.
  reseal(path);
  EXPECT_NE(read_error(path).find("content checksum mismatch"), std::string::npos) << read_error(path);
}

// ---- schema version 1 ----

// golden/testdata/schema-v1.hdf5: 48 cases of tf-2.21-cpu.h5 picked for variety (both ops, every
// dtype, every suite, errors with messages, invalid round modes, implementation-defined elements),
// written by the version 1 writer before version 2 existed.
TEST_F(GoldenFileTest, ReadsSchemaVersion1AsItsVersion2Rewrite) {
  const std::string v1 = std::string(QDQ_GOLDEN_TESTDATA) + "/schema-v1.hdf5";
  const GoldenFile old = read_golden(v1);  // also checks the content checksum the version 1 writer stored
  EXPECT_EQ(old.provenance.schema_version, 1);
  ASSERT_EQ(old.cases.size(), 48u);
  std::set<std::string> round_modes, reasons;
  std::set<Code> codes;
  std::set<DType> dtypes;
  int gradients = 0, flagged = 0;
  for (const GoldenCase& c : old.cases) {
    round_modes.insert(c.op_case.attrs.round_mode);
    reasons.insert(c.answer.undefined_reason);
    codes.insert(c.answer.status.code);
    dtypes.insert(c.op_case.input.dtype);
    gradients += c.op_case.op == Op::Gradient;
    flagged += !c.answer.undefined.empty();
  }
  EXPECT_EQ(round_modes, (std::set<std::string>{"HALF_DOWN", "HALF_TO_EVEN", "HALF_UP", "half_up"}));
  EXPECT_EQ(reasons.size(), 3u);
  EXPECT_EQ(codes.size(), 3u);
  EXPECT_EQ(dtypes.size(), 4u);
  EXPECT_GT(gradients, 0);
  EXPECT_GT(flagged, 0);
  EXPECT_EQ(old.cases[0].id, "grid/tf-cpu/bfloat16/HALF_TO_EVEN/signed/measured/per-tensor/b1/ties");

  write_golden(path.string(), old);
  const GoldenFile now = read_golden(path.string());
  EXPECT_EQ(now.provenance.schema_version, 2);
  expect_same(old, now);
  expect_same_provenance(old.provenance, now.provenance);  // the content checksum too: defined over the content
}

// ---- schema version 2: its text columns, and every way they can be malformed ----

TEST_F(GoldenFileTest, TextsKeepEveryByte) {
  GoldenFile f = sample();
  using namespace std::string_literals;
  f.cases[0].id = "with\0nul and UTF-8: \xc3\xa9"s;
  ASSERT_EQ(f.cases[0].id.size(), 22u);
  f.cases[1].answer.status.message = std::string(70000, 'x') + "\n";  // longer than a chunk of bytes
  f.cases[2].op_case.attrs.round_mode = "";
  f.cases[3].op_case.attrs.round_mode = "HALF_DOWN";
  write_golden(path.string(), f);
  expect_same(f, read_golden(path.string()));
}

TEST_F(GoldenFileTest, TextColumnsAreDeflated) {
  // Many cases with long, repetitive texts: version 1's variable-length strings took over 2 MB here.
  GoldenFile f = sample();
  const GoldenCase model = f.cases[1];  // a forward case answered with an error
  f.cases.clear();
  for (int i = 0; i < 4000; ++i) {
    GoldenCase c = model;
    c.id = "edge/tf-xla/float32/a-long-and-descriptive-case-name/" + std::to_string(i);
    c.answer.status.message = "Value for attr 'round_mode' of \"HALF_DOWN\" is not in the list of allowed values: "
                              "\"HALF_TO_EVEN\", \"HALF_UP\"; NodeDef: {{node QuantizeAndDequantizeV4}}; number " +
                              std::to_string(i % 7);
    f.cases.push_back(std::move(c));
  }
  write_golden(path.string(), f);
  EXPECT_LT(fs::file_size(path), 400000u);
  expect_same(f, read_golden(path.string()));
}

class GoldenFileDamageTest : public GoldenFileTest {
 protected:
  void SetUp() override {
    GoldenFileTest::SetUp();
    write_golden(path.string(), sample());
  }
  // The error after `change`, which must name the file.
  std::string error_after(const std::function<void(hid_t)>& change) {
    tamper(path, change);
    const std::string e = read_error(path);
    EXPECT_EQ(e.rfind(path.string() + ": ", 0), 0u) << e;
    return e;
  }
};

TEST_F(GoldenFileDamageTest, TextLengthsPastTheBytes) {
  for (std::uint32_t extra : {std::uint32_t{1}, std::uint32_t{1000}, std::numeric_limits<std::uint32_t>::max()}) {
    write_golden(path.string(), sample());
    const std::string e = error_after([&](hid_t file) {
      auto length = read_set<std::uint32_t>(file, "/cases/id/length", H5T_NATIVE_UINT32);
      length[5] += extra;  // wraps for the largest: then short of the bytes
      write_set(file, "/cases/id/length", H5T_NATIVE_UINT32, length);
    });
    EXPECT_NE(e.find("dataset /cases/id/length: the lengths add up to "), std::string::npos) << e;
    EXPECT_NE(e.find("/cases/id/bytes holds "), std::string::npos) << e;
  }
}

TEST_F(GoldenFileDamageTest, TextLengthsShortOfTheBytes) {
  const std::string e = error_after([](hid_t file) {
    auto length = read_set<std::uint32_t>(file, "/cases/undefined_reason/length", H5T_NATIVE_UINT32);
    for (auto& l : length) l = 0;
    write_set(file, "/cases/undefined_reason/length", H5T_NATIVE_UINT32, length);
  });
  EXPECT_NE(e.find("dataset /cases/undefined_reason/length: the lengths add up to 0 bytes, /cases/undefined_reason/bytes holds "),
            std::string::npos) << e;
}

TEST_F(GoldenFileDamageTest, TextLengthsOfAnotherCaseCount) {
  const std::string e = error_after([](hid_t file) {
    auto length = read_set<std::uint32_t>(file, "/cases/round_mode/length", H5T_NATIVE_UINT32);
    length.pop_back();
    replace_set(file, "/cases/round_mode/length", H5T_STD_U32LE, length);
  });
  EXPECT_NE(e.find("dataset /cases/round_mode/length has 17 entries, expected 18"), std::string::npos) << e;
}

TEST_F(GoldenFileDamageTest, TextBytesOfTheWrongType) {
  const std::string e = error_after([](hid_t file) {
    replace_set(file, "/cases/message/bytes", H5T_STD_U32LE, std::vector<std::uint32_t>(10, 65));
  });
  EXPECT_NE(e.find("dataset /cases/message/bytes has the wrong type"), std::string::npos) << e;
}

TEST_F(GoldenFileDamageTest, MissingDatasets) {
  for (const char* set : {"/cases/id/bytes", "/cases/id/length", "/cases/message/bytes", "/cases/undefined_reason/length",
                          "/cases/round_mode/bytes", "/cases/op", "/cases/dtype", "/cases/status"}) {
    write_golden(path.string(), sample());
    const std::string e = error_after([&](hid_t file) { H5Ldelete(file, set, H5P_DEFAULT); });
    EXPECT_EQ(e, path.string() + ": missing dataset " + set);
  }
  // A version 1 text column in a version 2 file is not read as one.
  write_golden(path.string(), sample());
  const std::string e = error_after([](hid_t file) {
    H5Ldelete(file, "/cases/id", H5P_DEFAULT);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    replace_set(file, "/cases/id", type, std::vector<const char*>(18, "an id"));
  });
  EXPECT_EQ(e, path.string() + ": missing dataset /cases/id/length");
}

TEST_F(GoldenFileDamageTest, EnumerationValueOutOfRange) {
  for (std::uint8_t value : {std::uint8_t{5}, std::uint8_t{255}}) {
    write_golden(path.string(), sample());
    const std::string e = error_after([&](hid_t file) {
      auto codes = read_set<std::uint8_t>(file, "/cases/status", -1);
      codes[3] = value;
      write_set(file, "/cases/status", -1, codes);
    });
    EXPECT_NE(e.find("dataset /cases/status: case 3 holds " + std::to_string(value) + ", which is not a member of its enumeration"),
              std::string::npos) << e;
  }
}

TEST_F(GoldenFileDamageTest, EnumerationWithAnUnknownMember) {
  const std::string e = error_after([](hid_t file) {
    auto codes = read_set<std::uint8_t>(file, "/cases/dtype", -1);
    codes[2] = 9;
    replace_set(file, "/cases/dtype", enum_of({{"bfloat16", 0}, {"float16", 1}, {"float32", 2}, {"float64", 3}, {"float8", 9}}), codes);
  });
  EXPECT_NE(e.find("case 2 ('case/2'): unknown dtype 'float8'"), std::string::npos) << e;
}

TEST_F(GoldenFileDamageTest, EnumerationOfAnotherType) {
  const std::string e = error_after([](hid_t file) {
    auto codes = read_set<std::uint8_t>(file, "/cases/op", -1);
    replace_set(file, "/cases/op", H5T_STD_U8LE, codes);
  });
  EXPECT_NE(e.find("dataset /cases/op is not a one-byte enumeration"), std::string::npos) << e;
}

TEST_F(GoldenFileDamageTest, EnumerationsAreReadByName) {
  // Another numbering of the same members is the same content (the checksum agrees).
  const GoldenFile f = sample();
  tamper(path, [](hid_t file) {
    auto codes = read_set<std::uint8_t>(file, "/cases/op", -1);
    for (auto& c : codes) c = c == 0 ? 7 : 0;
    replace_set(file, "/cases/op", enum_of({{"gradient", 0}, {"forward", 7}}), codes);
  });
  expect_same(f, read_golden(path.string()));
}

TEST_F(GoldenFileDamageTest, ExtentBeyondWhatTheFileCanHold) {
  const std::string e = error_after([](hid_t file) {
    H5Ldelete(file, "/cases/message/bytes", H5P_DEFAULT);
    const hsize_t n = hsize_t{1} << 40, chunk = 1 << 16;
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    H5Dclose(H5Dcreate2(file, "/cases/message/bytes", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    H5Pclose(dcpl);
    H5Sclose(space);
  });
  EXPECT_NE(e.find("dataset /cases/message/bytes has 1099511627776 entries, more than the file can hold"), std::string::npos) << e;
}

TEST_F(GoldenFileTest, WriteToAnUnwritablePlaceFailsCleanly) {
  EXPECT_THROW(write_golden((dir / "no-such-folder" / "g.h5").string(), sample()), GoldenError);
}

}  // namespace
}  // namespace qdq::golden
