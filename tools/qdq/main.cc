// qdq: the command-line program of the conformance harness.
//   qdq eval [--backend B] [FILE|-]     one JSON case a line in, one JSON answer a line out
//   qdq conformance [filters]           the main job: suites × backends, the result matrix
//   qdq golden generate|verify|inspect|check-inputs   golden files (HDF5)
//   qdq bench [--max-bytes N] [Google Benchmark flags]  the optimized backend against memory bandwidth
//   qdq fuzz [--seconds N] [--seed S] [--backend B]    the op's properties, failures to golden files
//   qdq backends                        the backends, and why any cannot run here
//   qdq cases [filters] [-o FILE]       cases as JSON lines for another program to answer
//   qdq verify CASES ANSWERS            that program's answers judged (exit 0 pass, 1 mismatch, 2 bad input)
//   qdq explain --case|--golden|--suite ... --id ID [--element K] [--answer FILE]   one element step by step
//   qdq report merge SHARD.json...      the reports of a sharded run (--shard I/N) as one
//   qdq sweep-float32 --config NAME     every float32 input through one configuration, against the reference
#include <iostream>

#include "tools/qdq/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"qdq: conformance harness for TensorFlow's QuantizeAndDequantizeV4 and V4Grad"};
  app.require_subcommand(1);
  const qdq::tools::Command commands[] = {qdq::tools::add_eval_command(app), qdq::tools::add_conformance_command(app),
                                          qdq::tools::add_golden_command(app), qdq::tools::add_bench_command(app), qdq::tools::add_fuzz_command(app),
                                          qdq::tools::add_backends_command(app), qdq::tools::add_cases_command(app),
                                          qdq::tools::add_verify_command(app), qdq::tools::add_explain_command(app),
                                          qdq::tools::add_report_command(app), qdq::tools::add_sweep_command(app)};
  CLI11_PARSE(app, argc, argv);
  try {
    for (const auto& [sub, run] : commands) {
      if (sub->parsed()) return run();
    }
  } catch (const std::exception& e) {
    std::cerr << "qdq: " << e.what() << "\n";
    return 2;
  }
  return 2;
}
