// chipwright command-line entry point: parses flags, calls the library,
// prints. Exit codes: 0 ok, 2 user error, 70 internal error.
#include <fmt/core.h>

#include <exception>

#include "config/error.hpp"

int main(int, char**) {
  try {
    fmt::print("chipwright\n");
    return 0;
  } catch (const cw::UserError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "internal error: {}\n", e.what());
    return 70;
  }
}
