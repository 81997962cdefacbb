#include "tools/qdq/float32_sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>

#include "conformance/backends.h"
#include "conformance/case_io.h"
#include "conformance/compare.h"
#include "tools/qdq/run_reports.h"

namespace qdq::tools::sweep {
namespace {

std::uint32_t float_bits(const std::string& text, const std::string& what) {
  if (text.size() == 10 && (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0)) {
    std::uint32_t v = 0;
    for (char ch : text.substr(2)) {
      const int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
      if (d < 0) throw std::invalid_argument(what + " '" + text + "': not 0x and 8 hex digits, nor a decimal number");
      v = v << 4 | static_cast<std::uint32_t>(d);
    }
    return v;
  }
  const std::optional<std::uint64_t> v = conformance::parse_decimal_value(DType::Float32, text);
  if (!v) throw std::invalid_argument(what + " '" + text + "': not a decimal number nor 0x and 8 hex digits");
  return static_cast<std::uint32_t>(*v);
}

// A float32 as the shortest decimal that reads back as the same bits ("nan" and "-nan" as bits).
std::string float_text(std::uint32_t bits) {
  if (is_nan_bits(DType::Float32, bits)) return conformance::hex_bits(DType::Float32, bits);
  return fmt::format("{}", std::bit_cast<float>(bits));
}

Config make(std::string name, bool s, int bits, bool narrow, const char* mode, const char* lo, const char* hi, std::string shape,
            std::string note) {
  Config c;
  c.name = std::move(name);
  c.signed_input = s;
  c.num_bits = bits;
  c.narrow_range = narrow;
  c.round_mode = mode;
  c.min_bits = float_bits(lo, "input_min");
  c.max_bits = float_bits(hi, "input_max");
  c.shape = std::move(shape);
  c.note = std::move(note);
  return c;
}

Tensor scalar(std::uint32_t bits) {
  Tensor t(DType::Float32, {});
  t.set_bits(0, bits);
  return t;
}

bool parse_bool(const std::string& key, const std::string& v) {
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  throw std::invalid_argument("configuration: " + key + "=" + v + ": expected true or false");
}

}  // namespace

const std::vector<Config>& configs() {
  static const std::vector<Config> all = [] {
    constexpr const char* E = "HALF_TO_EVEN";
    constexpr const char* U = "HALF_UP";
    return std::vector<Config>{
        make("s8-sym1-even", true, 8, false, E, "-1", "1", "symmetric", "the common int8 case; the max side sets the scale (127)"),
        make("s8-sym1-up", true, 8, false, U, "-1", "1", "symmetric", "the same, HALF_UP"),
        make("s8n-sym1-even", true, 8, true, E, "-1", "1", "symmetric", "narrow_range: [-127, 127], both sides give the scale"),
        make("s8n-sym1-up", true, 8, true, U, "-1", "1", "symmetric", "the same, HALF_UP"),
        make("u8-0to6-even", false, 8, false, E, "0", "6", "one-sided", "ReLU6, unsigned; scale 42.5: 1, 3 and 5 are ties"),
        make("u8-0to6-up", false, 8, false, U, "0", "6", "one-sided", "the same, HALF_UP"),
        make("u8n-0to6-even", false, 8, true, E, "0", "6", "one-sided", "narrow_range, which unsigned ignores"),
        make("s8-neg6to0-even", true, 8, false, E, "-6", "0", "one-sided", "non-positive range, signed: only the min side constrains"),
        make("s8n-neg6to0-up", true, 8, true, U, "-6", "0", "one-sided", "the same, narrow_range, HALF_UP"),
        make("s8-asym-even", true, 8, false, E, "-0.3", "1.7", "asymmetric", "the max side sets the scale; input_min is moved"),
        make("s7-asym-up", true, 7, false, U, "-2.5", "0.5", "asymmetric", "the min side sets the scale; input_max is moved"),
        make("s2-sym1-even", true, 2, false, E, "-1", "1", "symmetric", "2 bits: [-2, 1], scale 1, ties at +-0.5"),
        make("s2n-sym1-up", true, 2, true, U, "-1", "1", "symmetric", "2 bits narrow: [-1, 1]"),
        make("u2-0to6-up", false, 2, false, U, "0", "6", "one-sided", "2 bits unsigned: [0, 3]"),
        make("s3-asym-even", true, 3, false, E, "-0.75", "2.5", "asymmetric", "3 bits, the max side sets the scale"),
        make("s4n-sym1-up", true, 4, true, U, "-1", "1", "symmetric", "4 bits narrow"),
        make("u4-0to6-even", false, 4, false, E, "0", "6", "one-sided", "4 bits unsigned"),
        make("s12-sym1-even", true, 12, false, E, "-1", "1", "symmetric", "12 bits"),
        make("s15n-sym1-up", true, 15, true, U, "-1", "1", "symmetric", "15 bits narrow"),
        make("s16-sym1-even", true, 16, false, E, "-1", "1", "symmetric", "16 bits, the widest here"),
        make("u16-0to6-up", false, 16, false, U, "0", "6", "one-sided", "16 bits unsigned"),
        make("s8-tiny-even", true, 8, false, E, "-1e-30", "1e-30", "tiny",
             "normal bounds near 1e-30: scale 1.27e32, inv 7.9e-33; inputs beyond +-1e-30 (about 90% of the patterns) clamp"),
        make("u8-tiny-up", false, 8, false, U, "0", "1e-30", "tiny", "the same, one-sided unsigned, HALF_UP"),
        make("s8-sub-even", true, 8, false, E, "-1e-40", "1e-40", "subnormal",
             "subnormal bounds: TF's host arithmetic (DAZ) reads them as zeros, neither side constrains the scale, "
             "TF takes the largest float; the exact op's scale is 1.27e42"),
        make("s8n-sub-up", true, 8, true, U, "-1e-40", "1e-40", "subnormal", "the same, narrow_range, HALF_UP"),
        make("s8-huge-even", true, 8, false, E, "-3e38", "3e38", "huge",
             "bounds near the largest float: scale 4.2e-37, products of inputs below ~0.03 are subnormal (flushed under FTZ), inv 2.4e36"),
        make("s16n-huge-up", true, 16, true, U, "-3.4028235e38", "3.4028235e38", "huge",
             "the largest finite bounds, 16 bits narrow: scale 9.6e-35, products of inputs below ~1.2e-4 subnormal"),
        make("u15-huge-even", false, 15, false, E, "0", "3e38", "huge", "15 bits unsigned, huge one-sided"),
    };
  }();
  return all;
}

Config parse_config(const std::string& spec, const std::string& default_name) {
  Config c;
  c.name = default_name;
  c.shape = "custom";
  c.note = "--custom";
  bool have_bits = false, have_min = false, have_max = false;
  std::size_t at = 0;
  while (at <= spec.size()) {
    const std::size_t comma = std::min(spec.find(',', at), spec.size());
    const std::string item = spec.substr(at, comma - at);
    at = comma + 1;
    if (item.empty()) {
      if (comma == spec.size()) break;
      continue;
    }
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("configuration '" + spec + "': '" + item + "' is not KEY=VALUE");
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "name") {
      if (value.empty() || value.find_first_of(" ;,=") != std::string::npos) {
        throw std::invalid_argument("configuration '" + spec + "': name '" + value +
                                    "' must be non-empty, without spaces, ';', ',' or '='");
      }
      c.name = value;
    } else if (key == "num_bits") {
      try {
        std::size_t used = 0;
        c.num_bits = std::stoi(value, &used);
        if (used != value.size()) throw std::invalid_argument("");
      } catch (const std::exception&) {
        throw std::invalid_argument("configuration '" + spec + "': num_bits=" + value + " is not an integer");
      }
      have_bits = true;
    } else if (key == "signed") {
      c.signed_input = parse_bool(key, value);
    } else if (key == "narrow") {
      c.narrow_range = parse_bool(key, value);
    } else if (key == "mode") {
      c.round_mode = value;  // TF's own check (validate) names a bad one
    } else if (key == "min") {
      c.min_bits = float_bits(value, "configuration '" + spec + "': min");
      have_min = true;
    } else if (key == "max") {
      c.max_bits = float_bits(value, "configuration '" + spec + "': max");
      have_max = true;
    } else {
      throw std::invalid_argument("configuration '" + spec + "': unknown key '" + key +
                                  "' (keys: name, num_bits, signed, narrow, min, max, mode)");
    }
  }
  if (!have_bits || !have_min || !have_max) {
    throw std::invalid_argument("configuration '" + spec + "': num_bits, min and max are required");
  }
  return c;
}

std::string config_spec(const Config& c) {
  return fmt::format("name={},num_bits={},signed={},narrow={},min={},max={},mode={}", c.name, c.num_bits, c.signed_input,
                     c.narrow_range, float_text(c.min_bits), float_text(c.max_bits), c.round_mode);
}

OpCase make_case(const Config& c, ProfileId profile, const std::vector<std::uint32_t>& inputs) {
  OpCase oc;
  oc.op = Op::Forward;
  oc.profile = profile;
  oc.attrs.signed_input = c.signed_input;
  oc.attrs.num_bits = c.num_bits;
  oc.attrs.range_given = true;
  oc.attrs.round_mode = c.round_mode;
  oc.attrs.narrow_range = c.narrow_range;
  oc.attrs.axis = -1;
  oc.input = Tensor(DType::Float32, {static_cast<std::int64_t>(inputs.size())});
  if (!inputs.empty()) std::memcpy(oc.input.bytes.data(), inputs.data(), inputs.size() * sizeof(std::uint32_t));
  oc.input_min = scalar(c.min_bits);
  oc.input_max = scalar(c.max_bits);
  return oc;
}

Status validate(const Config& c, ProfileId profile) { return validate_case(make_case(c, profile, {0})); }

std::vector<std::uint64_t> shard_chunks(std::uint64_t inputs, const conformance::Shard& shard) {
  std::vector<std::uint64_t> mine;
  const std::uint64_t chunks = (inputs + kChunk - 1) / kChunk;
  for (std::uint64_t c = static_cast<std::uint64_t>(shard.index - 1); c < chunks; c += static_cast<std::uint64_t>(shard.count)) {
    mine.push_back(c);
  }
  return mine;
}

// run_config builds chunk c's inputs as bitrev16(j) << 16 | bitrev16(c): the same as input_bits.
static_assert(input_bits(3 * kChunk + 5) == ((input_bits(5) >> 16) << 16 | (input_bits(3) >> 16)));
static_assert(input_bits(0xfffe * kChunk + 0x8001) == ((input_bits(0x8001) >> 16) << 16 | (input_bits(0xfffe) >> 16)));
static_assert(input_bits(1) == 0x80000000u && input_bits(0x4000 * kChunk) == 0x2u);

std::string suite_name(const Config& c, std::uint64_t inputs) {
  if (inputs == kAllInputs) return "sweep-float32 " + c.name;
  return fmt::format("sweep-float32 {} (partial: first {} of {} inputs)", c.name, inputs, kAllInputs);
}

ConfigResult run_config(const Config& c, const Options& o, const std::atomic<int>& stop) {
  using namespace conformance;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::uint64_t> chunks = shard_chunks(o.inputs, o.shard);
  const std::string id_prefix = fmt::format("sweep-float32/{}/{}/chunk-", profile_name(o.profile), c.name);
  struct Counts {
    long passed = 0, failed = 0, undefined = 0, mismatches = 0, judged = 0;
    DistanceHistogram distances;
  };
  std::vector<Counts> counts(chunks.size());
  static const std::vector<std::uint16_t> reversed16 = [] {
    std::vector<std::uint16_t> t(kChunk);
    for (std::uint32_t j = 0; j < kChunk; ++j) t[j] = static_cast<std::uint16_t>(input_bits(j) >> 16);
    return t;
  }();
  // The first max_mismatches mismatch lines in sweep order: kept by chunk position; chunks after
  // `cutoff` (where enough lines are already kept) keep none.
  std::mutex kept_mutex;
  std::map<std::size_t, std::vector<Mismatch>> kept;
  std::size_t cutoff = chunks.size();
  std::atomic<std::int64_t> reference_ns{0}, backend_ns{0};
  const std::string row = fmt::format("{}/float32", profile_name(o.profile));
  const std::string column = c.round_mode + "/per-tensor";
  ProgressLine progress("config " + c.name, static_cast<std::size_t>(std::min<std::uint64_t>(o.inputs, chunks.size() * kChunk)),
                        o.quiet);
  parallel_for_each_index(chunks.size(), o.threads, [&] {
    std::shared_ptr<Backend> backend = make_backend(o.backend, o.backend_options);
    std::shared_ptr<Backend> reference = make_backend("reference");
    if (!backend) throw std::invalid_argument("unknown backend '" + o.backend + "'");
    return [&, backend, reference](std::size_t i) {
      if (stop.load()) return;
      const std::uint64_t chunk = chunks[i];
      const std::uint64_t begin = chunk * kChunk, end = std::min(begin + kChunk, o.inputs);
      // input_bits(c * kChunk + j) = bitrev16(j) << 16 | bitrev16(c), from a table.
      std::vector<std::uint32_t> inputs(end - begin);
      const std::uint32_t low = reversed16[chunk];
      for (std::uint64_t k = begin; k < end; ++k) inputs[k - begin] = std::uint32_t{reversed16[k - begin]} << 16 | low;
      const OpCase oc = make_case(c, o.profile, inputs);
      const std::string id = id_prefix + std::to_string(chunk);
      const auto t0 = std::chrono::steady_clock::now();
      const Outcome expected = reference->run(oc);
      const auto t1 = std::chrono::steady_clock::now();
      const OpCase* one = &oc;
      std::vector<BatchAnswer> answers = backend->run_batch(std::span<const OpCase* const>(&one, 1));
      const auto t2 = std::chrono::steady_clock::now();
      reference_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
      backend_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(t2 - t1).count();
      const long n = static_cast<long>(inputs.size());
      Counts& cc = counts[i];
      std::vector<Mismatch> lines;
      if (!answers.at(0).failure.empty()) {
        lines.push_back({id, "backend error", -1, "", "an outcome", answers[0].failure, ""});
        cc.failed = n;
      } else {
        Comparison r = compare_outcomes(id, oc, expected, answers[0].outcome);
        const bool whole = std::any_of(r.mismatches.begin(), r.mismatches.end(), [](const Mismatch& m) { return m.element < 0; });
        if (whole) {
          cc.failed = n;  // a status or shape mismatch: no element of the chunk is right
        } else {
          cc.failed = static_cast<long>(r.mismatches.size());
          cc.undefined = r.undefined;
          cc.passed = r.elements - cc.failed;
        }
        lines = std::move(r.mismatches);
      }
      cc.judged = n;
      cc.mismatches = static_cast<long>(lines.size());
      for (Mismatch& m : lines) {
        cc.distances.add(m);
        m.row = row;
        m.column = column;
      }
      if (!lines.empty()) {
        if (lines.size() > o.max_mismatches) lines.resize(o.max_mismatches);
        std::lock_guard lock(kept_mutex);
        if (i < cutoff) {
          kept[i] = std::move(lines);
          std::size_t total = 0;
          for (auto it = kept.begin(); it != kept.end(); ++it) {
            total += it->second.size();
            if (total >= o.max_mismatches) {
              cutoff = it->first;
              kept.erase(std::next(it), kept.end());
              break;
            }
          }
        }
      }
      progress.advance(static_cast<std::size_t>(n));
    };
  });

  ConfigResult out;
  out.inputs_in_run = o.inputs;
  SuiteResult& s = out.suite;
  s.suite = suite_name(c, o.inputs);
  s.backend = o.backend;
  Tally t;
  for (const Counts& cc : counts) {
    t.passed += cc.passed;
    t.failed += cc.failed;
    t.undefined_cases += cc.undefined;
    t.undefined += cc.undefined;
    s.mismatch_count += cc.mismatches;
    s.distances += cc.distances;
    out.judged += static_cast<std::uint64_t>(cc.judged);
  }
  s.cells[row][column] = t;
  s.cases = static_cast<long>(out.judged);
  for (auto& [pos, lines] : kept) {
    for (Mismatch& m : lines) {
      if (s.mismatches.size() < o.max_mismatches) s.mismatches.push_back(std::move(m));
    }
  }
  std::vector<Mismatch>& in_cell = s.cell_mismatches[row][column];
  for (const Mismatch& m : s.mismatches) {
    if (in_cell.size() < SuiteResult::kCellMismatches) in_cell.push_back(m);
  }
  if (in_cell.empty()) s.cell_mismatches.clear();
  std::uint64_t shard_inputs = 0;
  for (std::uint64_t ch : chunks) shard_inputs += std::min(ch * kChunk + kChunk, o.inputs) - ch * kChunk;
  out.interrupted = out.judged < shard_inputs;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.reference_seconds = static_cast<double>(reference_ns.load()) * 1e-9;
  out.backend_seconds = static_cast<double>(backend_ns.load()) * 1e-9;
  return out;
}

std::string selection(const std::vector<Config>& cs, const Options& o) {
  std::vector<std::string> specs;
  for (const Config& c : cs) specs.push_back(config_spec(c));
  const std::string inputs = o.inputs == kAllInputs ? fmt::format("all {}", kAllInputs)
                                                    : fmt::format("first {} of {} (partial)", o.inputs, kAllInputs);
  return fmt::format("profile={} dtype=float32 op=forward per-tensor range_given order=bit-reversed chunk={} inputs={} configs={}",
                     profile_name(o.profile), kChunk, inputs, fmt::join(specs, ";"));
}

std::vector<Config> configs_of_selection(const std::string& text) {
  std::vector<Config> out;
  const std::size_t at = text.find(" configs=");
  if (text.rfind("profile=", 0) != 0 || at == std::string::npos) return out;
  const std::string list = text.substr(at + 9);
  std::size_t from = 0;
  while (from < list.size()) {
    const std::size_t semi = std::min(list.find(';', from), list.size());
    try {
      Config c = parse_config(list.substr(from, semi - from), "custom");
      for (const Config& known : configs()) {
        if (known.name == c.name) {
          c.shape = known.shape;
          c.note = known.note;
        }
      }
      out.push_back(std::move(c));
    } catch (const std::invalid_argument&) {
    }
    from = semi + 1;
  }
  return out;
}

std::string selection_difference(const std::string& a, const std::string& b) {
  if (a == b) return "";
  // "KEY=VALUE" of a selection's settings before " configs=" (inputs= runs up to " configs=").
  auto field = [](const std::string& s, const std::string& key) {
    const std::size_t at = s.find(key + "=");
    if (at == std::string::npos) return std::string();
    const std::size_t from = at + key.size() + 1;
    const std::size_t end = key == "inputs" ? s.find(" configs=", from) : s.find(' ', from);
    return s.substr(from, end == std::string::npos ? std::string::npos : end - from);
  };
  auto names = [](const std::string& s) {
    std::vector<std::string> out;
    for (const Config& c : configs_of_selection(s)) out.push_back(config_spec(c));
    return out;
  };
  std::vector<std::string> parts;
  if (field(a, "profile") != field(b, "profile")) parts.push_back("profile " + field(b, "profile") + " against " + field(a, "profile"));
  if (field(a, "inputs") != field(b, "inputs")) parts.push_back("inputs " + field(b, "inputs") + " against " + field(a, "inputs"));
  const std::vector<std::string> ca = names(a), cb = names(b);
  if (ca != cb) {
    std::vector<std::string> only_a, only_b;
    for (const std::string& x : ca) {
      if (std::find(cb.begin(), cb.end(), x) == cb.end()) only_a.push_back(x);
    }
    for (const std::string& x : cb) {
      if (std::find(ca.begin(), ca.end(), x) == ca.end()) only_b.push_back(x);
    }
    parts.push_back(fmt::format("configurations differ (only in this one: {}; only in the other: {})",
                                only_b.empty() ? "none" : fmt::format("{}", fmt::join(only_b, "; ")),
                                only_a.empty() ? "none" : fmt::format("{}", fmt::join(only_a, "; "))));
  }
  if (parts.empty()) parts.push_back("selection '" + b + "' against '" + a + "'");
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::string explain_command(const Config& c, ProfileId profile, const conformance::Mismatch& m) {
  if (m.element < 0 || m.input.size() != 10) return "";
  const std::uint32_t bits = float_bits(m.input, "input");
  const std::string id = fmt::format("sweep-float32/{}/{}/input-{}", profile_name(profile), c.name, m.input);
  const std::string line = conformance::json_line(conformance::case_json(id, make_case(c, profile, {bits})));
  return fmt::format("qdq explain --case <(echo '{}') --id '{}'", line, id);
}

void print_results(std::ostream& out, const std::vector<conformance::SuiteResult>& results, const std::vector<Config>& cs,
                   ProfileId profile) {
  for (const conformance::SuiteResult& r : results) {
    const conformance::Tally t = r.total();
    std::string cell;
    for (const auto& [row, cols] : r.cells) {
      for (const auto& [col, tally] : cols) cell = row + " " + col;
    }
    out << fmt::format("\n== {} / backend {} ({}) ==\n", r.suite, r.backend, cell);
    out << fmt::format("{} inputs judged: {} passed, {} mismatched, {} implementation-defined (not compared)\n", r.cases, t.passed,
                       t.failed, t.undefined);
    for (const conformance::Mismatch& m : r.mismatches) out << "MISMATCH " << conformance::format_mismatch(m) << "\n";
    if (!r.mismatches.empty()) {
      for (const Config& c : cs) {
        if (r.suite == "sweep-float32 " + c.name || r.suite.rfind("sweep-float32 " + c.name + " (", 0) == 0) {
          const std::string cmd = explain_command(c, profile, r.mismatches.front());
          if (!cmd.empty()) out << "explain the first: " << cmd << "\n";
          break;
        }
      }
    }
    if (r.mismatch_count > static_cast<long>(r.mismatches.size())) {
      out << fmt::format("... {} more mismatches not shown\n", r.mismatch_count - static_cast<long>(r.mismatches.size()));
    }
  }
}

}  // namespace qdq::tools::sweep
