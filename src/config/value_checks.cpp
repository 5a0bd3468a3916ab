#include "config/value_checks.hpp"

#include <fmt/core.h>

#include "config/error.hpp"

namespace cw {

int count_in(const ConfigNode& n, int64_t lo, int64_t hi, const std::string& fix) {
  int64_t v = n.as_int();
  if (v < lo || v > hi) {
    n.fail("must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
               ", got " + n.as_string(),
           fix);
  }
  return static_cast<int>(v);
}

double fraction(const ConfigNode& n, const std::string& fix) {
  double v = n.as_double();
  if (!(v > 0 && v <= 1)) n.fail("must be a fraction in (0, 1], got " + n.as_string(), fix);
  return v;
}

void require_at_least_one(int64_t value, const char* name) {
  if (value < 1) throw UserError(fmt::format("{} must be at least 1, got {}", name, value));
}

}  // namespace cw
