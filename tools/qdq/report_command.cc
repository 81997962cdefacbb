// `qdq report merge`: the --json reports of a sharded run (--shard I/N) joined into one report.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "conformance/report.h"
#include "conformance/run_report.h"
#include "tools/qdq/commands.h"
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
              const conformance::RunReport merged = conformance::merge_reports(shards, *files, *max_mismatches);
              std::cout << fmt::format("qdq report merge: {} shards of one {} run ({})\n", shards.size(), merged.info.command,
                                       merged.info.selection);
              conformance::print_report(std::cout, merged.results);
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
