#include "cli/commands.hpp"

namespace cw::cli {

void add_format_option(CLI::App& cmd, OutputOptions& out) {
  cmd.add_option("--format", out.format, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
}

}  // namespace cw::cli
