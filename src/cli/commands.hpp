// The CLI's subcommands. Each register_* adds one subcommand to the app with
// its flags and a callback that calls the library and prints the result.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace cw::cli {

// --format table|json, shared by every command.
struct OutputOptions {
  std::string format = "table";
  bool json() const { return format == "json"; }
};
void add_format_option(CLI::App& cmd, OutputOptions& out);

void register_op(CLI::App& app);
void register_eval(CLI::App& app);
void register_compare(CLI::App& app);
void register_plan(CLI::App& app);
void register_silicon(CLI::App& app);
void register_list(CLI::App& app);
void register_show(CLI::App& app);
void register_validate(CLI::App& app);
void register_serve(CLI::App& app);
void register_mlperf(CLI::App& app);
void register_explore(CLI::App& app);

}  // namespace cw::cli
