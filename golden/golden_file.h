// Golden files: cases and their expected answers in HDF5, self-describing and readable with h5dump.
// The schema is documented in golden/README.md. Writes are atomic (a temporary file in the same
// folder, then rename). A file that cannot be trusted is rejected with GoldenError, whose message
// names the file and the problem; reading never crashes on a damaged file.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "reference/contract/backend.h"

namespace qdq::golden {

// The version write_golden writes. read_golden reads it and every earlier one (kOldestSchemaVersion
// on): version 1 kept the text columns as variable-length strings, which HDF5 cannot compress;
// version 2 keeps them as enumerations and deflated bytes (golden/README.md).
inline constexpr int kSchemaVersion = 2;
inline constexpr int kOldestSchemaVersion = 1;

struct GoldenError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One case and its expected outcome. answer.undefined flags the elements of the first output that
// the profile leaves implementation-defined; undefined_reason says why.
struct GoldenCase {
  std::string id;
  OpCase op_case;
  Outcome answer;
};

// File-level provenance (HDF5 attributes of the root group).
struct Provenance {
  int schema_version = kSchemaVersion;  // the version read; write_golden always writes kSchemaVersion
  std::string generator;          // "qdq golden generate"
  std::string generator_version;  // the project's version
  std::string profile;            // every case of a file has this profile
  std::string answers_from;       // "tensorflow" or "backend:NAME"
  std::string tf_version;         // "2.21.0" when answers_from is tensorflow, else ""
  std::string tf_mode;            // how TF ran: "eager CPU kernel", "tf.function(jit_compile=True) on CPU"
  std::string device;             // "CPU"
  std::string created;            // UTC, ISO 8601
  std::string git_commit;         // of the tree that generated the cases
  std::string suites;             // comma-separated case suites, e.g. "known,grid,edge,random"
  std::string dtypes;             // comma-separated dtypes the cases were generated for
  std::uint64_t seed = 0;         // seed of the seeded suites
  std::uint32_t content_crc32 = 0;  // zlib crc32 of the canonical content (filled in on write)
};

struct GoldenFile {
  Provenance provenance;
  std::vector<GoldenCase> cases;
};

// Writes atomically, in schema version kSchemaVersion whatever provenance.schema_version says;
// computes provenance.content_crc32. Throws GoldenError naming the file.
void write_golden(const std::string& path, GoldenFile file);

// Reads any schema version from kOldestSchemaVersion to kSchemaVersion and checks everything: schema
// name and version, every dataset's presence, type and length, every offset, shape and dtype, every
// enumeration value and text length, and the content checksum. Throws GoldenError naming the file
// and the first problem found (and the dataset, where one is at fault).
GoldenFile read_golden(const std::string& path);

// The canonical content checksum of a file's cases (what content_crc32 holds). It is defined over the
// content, not its encoding: the same cases check the same in every schema version.
std::uint32_t content_crc32(const GoldenFile& file);

}  // namespace qdq::golden
