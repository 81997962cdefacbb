// Golden files: a written file reads back identical, and every kind of damage is reported as a
// GoldenError naming the file, never a crash or silently different content.
#include "golden/golden_file.h"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <zlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

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
  GoldenFile f = sample();
  f.provenance.schema_version = 2;
  write_golden(path.string(), f);
  EXPECT_NE(read_error(path).find("schema version 2 is not supported (this build reads 1)"), std::string::npos);
}

TEST_F(GoldenFileTest, ChangedContentFailsTheChecksum) {
  write_golden(path.string(), sample());
  // Rewrite one message in place with the HDF5 API: a well-formed file whose content changed.
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t set = H5Dopen2(file, "/cases/message", H5P_DEFAULT);
  hid_t type = H5Dget_type(set);
  hid_t space = H5Dget_space(set);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  std::vector<const char*> text(n, "tampered");
  H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data());
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(set);
  H5Fclose(file);
  EXPECT_NE(read_error(path).find("file checksum mismatch"), std::string::npos) << read_error(path);
  // Re-sealed by hand (as someone editing the file with HDF5 tools and fixing the seal would), the
  // changed content is still caught by the content checksum.
  std::vector<char> b = bytes(path);
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(b.data() + 512), static_cast<uInt>(b.size() - 512));
  char header[512] = {};
  std::snprintf(header, sizeof header, "qdq-golden-file\nlength %zu\ncrc32 %08lx\n", b.size(), crc);
  std::copy(header, header + 512, b.begin());
  put(path, b);
  EXPECT_NE(read_error(path).find("content checksum mismatch"), std::string::npos) << read_error(path);
}

TEST_F(GoldenFileTest, WriteToAnUnwritablePlaceFailsCleanly) {
  EXPECT_THROW(write_golden((dir / "no-such-folder" / "g.h5").string(), sample()), GoldenError);
}

}  // namespace
}  // namespace qdq::golden
