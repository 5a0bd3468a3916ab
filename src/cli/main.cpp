// chipwright command-line entry point: parses flags, calls the library,
// prints. Exit codes: 0 ok, 2 user error (bad input or flags), 70 internal error.
#include <fmt/core.h>

#include <exception>
#include <string>

#include "cli/commands.hpp"
#include "config/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"chipwright: performance, energy and cost of LLM inference on real and "
               "hypothetical AI accelerators"};
  app.set_version_flag("--version", std::string("chipwright ") + CHIPWRIGHT_VERSION);
  app.require_subcommand(1);
  cw::cli::register_op(app);
  cw::cli::register_eval(app);
  cw::cli::register_compare(app);
  cw::cli::register_plan(app);
  cw::cli::register_silicon(app);
  cw::cli::register_list(app);
  cw::cli::register_show(app);
  cw::cli::register_validate(app);
  cw::cli::register_serve(app);
  cw::cli::register_mlperf(app);
  cw::cli::register_explore(app);
  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const cw::UserError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "internal error (please report): {}\n", e.what());
    return 70;
  }
}
