#include "conformance/known_answers.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <variant>

#include "conformance/case_io.h"

namespace qdq::conformance {

std::string source_dir() {
  const char* moved = std::getenv("QDQ_SOURCE_DIR");
  if (moved && *moved) return moved;
  // An installed qdq (cmake --install, the .deb) reads the data installed beside it, in ../share/qdq.
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path installed = fs::read_symlink("/proc/self/exe", ec).parent_path().parent_path() / "share" / "qdq";
  if (!ec && fs::is_directory(installed / "conformance" / "known_answers", ec)) return installed.string();
  return QDQ_SOURCE_DIR;
}

std::string default_known_answers_dir() { return source_dir() + "/conformance/known_answers"; }

std::vector<SuiteCase> load_known_answers(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error("known answers: '" + dir + "' is not a folder");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw std::runtime_error("known answers: no .jsonl file in '" + dir + "'");
  std::vector<SuiteCase> cases;
  for (const fs::path& f : files) {
    std::ifstream in(f);
    if (!in) throw std::runtime_error("known answers: cannot read " + f.string());
    for_each_case_line(in, [&](long number, std::variant<CaseLine, BadCase> parsed) {
      if (auto* bad = std::get_if<BadCase>(&parsed)) throw std::runtime_error(f.string() + ": " + bad->message);
      CaseLine& c = std::get<CaseLine>(parsed);
      if (!c.expect) throw std::runtime_error(f.string() + ": line " + std::to_string(number) + ": no \"expect\"");
      if (c.source.empty()) throw std::runtime_error(f.string() + ": line " + std::to_string(number) + ": no \"source\"");
      cases.push_back({c.id, std::move(c.op_case), std::move(c.expect), c.match, c.source});
    });
  }
  return cases;
}

}  // namespace qdq::conformance
