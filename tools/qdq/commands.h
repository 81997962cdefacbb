// The subcommands of `qdq`. Each registers itself on the CLI11 app and returns the subcommand
// and what runs it once parsed (the exit status is its result).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <utility>

namespace qdq::tools {

using Command = std::pair<CLI::App*, std::function<int()>>;

Command add_eval_command(CLI::App& app);
Command add_conformance_command(CLI::App& app);
Command add_golden_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_fuzz_command(CLI::App& app);
Command add_backends_command(CLI::App& app);
Command add_cases_command(CLI::App& app);
Command add_verify_command(CLI::App& app);
Command add_explain_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);

// The check of a --profile option: a profile's name, or BASE@RELEASE for a TF release that a
// profile covers (tf-cpu@2.18 is tf-cpu@2.20). Its description lists the names.
CLI::Validator profile_check();

// The check of a --backend option: a backend's name, plugin:PATH or plugin-in-process:PATH.
CLI::Validator backend_check();

// --case-timeout SECONDS, for plugin:PATH backends, into `seconds`.
void add_case_timeout_option(CLI::App* cmd, double& seconds);

}  // namespace qdq::tools
