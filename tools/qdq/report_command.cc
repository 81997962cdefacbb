// `qdq report merge`: the --json reports of a sharded run (--shard I/N) joined into one report.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "conformance/report.h"
#include "conformance/run_report.h"
#include "tools/qdq/commands.h"
#include "tools/qdq/float32_sweep.h"
#include "tools/qdq/run_reports.h"

namespace qdq::tools {

Command add_report_command(CLI::App& app) {
  CLI::App* report = app.add_subcommand("report", "Work with the reports of runs");
  report->require_subcommand(1);
  auto files = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<ReportOptions>();
  auto max_mismatches = std::make_shared<std::size_t>(20);
  CLI::App* merge = report->add_subcommand(
      "merge", "Join the --json reports of the N shards of one run into one report; exit 0 pass, 1 mismatch, 2 bad input");
  merge->add_option("reports", *files, "the shards' JSON reports, each shard once")->required();
  merge->add_option("--max-mismatches", *max_mismatches, "mismatch lines kept per suite and backend")->capture_default_str();
  add_report_options(merge, *out, false);
  return {report, [=] {
            try {
              check_report_options(*out);
              std::vector<conformance::RunReport> shards;
              for (const std::string& f : *files) shards.push_back(conformance::read_report(f));
              // Sweeps (qdq sweep-float32): the configurations, profile and inputs are part of the run's
              // identity (its selection, which merge_reports compares); name what differs plainly.
              for (std::size_t i = 1; i < shards.size(); ++i) {
                if (shards[i].info.command == "sweep-float32" && shards[0].info.command == "sweep-float32") {
                  const std::string why = sweep::selection_difference(shards[0].info.selection, shards[i].info.selection);
                  if (!why.empty()) {
                    throw conformance::ReportError(
                        fmt::format("report merge: {} is another sweep than {}: {}", (*files)[i], (*files)[0], why));
                  }
                }
              }
              const conformance::RunReport merged = conformance::merge_reports(shards, *files, *max_mismatches);
              std::cout << fmt::format("qdq report merge: {} shards of one {} run ({})\n", shards.size(), merged.info.command,
                                       merged.info.selection);
              if (merged.info.command == "sweep-float32") {
                // A sweep's `qdq explain` command is its input as a one-element case, not a suite's case.
                const std::size_t at = merged.info.selection.find("profile=") + 8;
                const auto profile = parse_profile(merged.info.selection.substr(at, merged.info.selection.find(' ', at) - at));
                sweep::print_results(std::cout, merged.results, sweep::configs_of_selection(merged.info.selection),
                                     profile.value_or(ProfileId::TfCpu));
              } else {
                conformance::print_report(std::cout, merged.results);
              }
              write_reports(*out, merged);
              long failed = 0, passed = 0;
              for (const auto& r : merged.results) {
                failed += r.total().failed;
                passed += r.total().passed;
              }
              std::cout << fmt::format("\nqdq report merge: {} passed, {} failed\n", passed, failed);
              return failed ? 1 : 0;
            } catch (const conformance::ReportError& e) {
              std::cerr << "qdq " << e.what() << "\n";
              return 2;
            }
          }};
}

}  // namespace qdq::tools
