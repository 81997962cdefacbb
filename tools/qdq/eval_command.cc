#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "conformance/backends.h"
#include "conformance/eval.h"
#include "tools/qdq/commands.h"

namespace qdq::tools {

Command add_eval_command(CLI::App& app) {
  auto backend_name = std::make_shared<std::string>("reference");
  auto file = std::make_shared<std::string>("-");
  CLI::App* eval = app.add_subcommand("eval", "Answer JSON case lines (format: docs/case-format.md), one answer a line");
  eval->add_option("--backend", *backend_name, "the backend that answers")->capture_default_str()->check(backend_check());
  auto case_timeout = std::make_shared<double>(conformance::BackendOptions{}.case_timeout_s);
  add_case_timeout_option(eval, *case_timeout);
  eval->add_option("file", *file, "case file, or - for standard input")->capture_default_str();
  return {eval, [=] {
            auto backend = conformance::make_backend(*backend_name, {*case_timeout});
            if (!backend) {
              std::cerr << "qdq eval: unknown backend '" << *backend_name << "'\n";
              return 2;
            }
            conformance::EvalCounts counts;
            if (*file == "-") {
              counts = conformance::run_eval(std::cin, std::cout, *backend);
            } else {
              std::ifstream in(*file);
              if (!in) {
                std::cerr << "qdq eval: cannot open '" << *file << "'\n";
                return 2;
              }
              counts = conformance::run_eval(in, std::cout, *backend);
            }
            std::cerr << fmt::format("qdq eval: {} cases ({} rejected by the op, {} unsupported by {}, {} failed to run), {} bad lines\n",
                                     counts.cases, counts.errors, counts.unsupported, backend->name(), counts.backend_failures,
                                     counts.bad_cases);
            return counts.bad_cases || counts.backend_failures ? 1 : 0;
          }};
}

}  // namespace qdq::tools
