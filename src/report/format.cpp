#include "report/format.hpp"

#include <cmath>

#include <fmt/core.h>

namespace cw {
namespace {

// True when x printed to three significant digits reads 1000 or more
// (999.6 -> "1e+03"), so the next prefix up must be used.
bool rounds_to_thousand(double x) {
  return std::abs(std::stod(fmt::format("{:.3g}", x))) >= 1000;
}

// Three significant digits with an SI prefix chosen so the printed mantissa
// is in [1, 1000).
std::string si(double v, const char* unit, bool allow_small) {
  static const char* big[] = {"", "k", "M", "G", "T", "P", "E"};
  static const char* small[] = {"", "m", "u", "n", "p"};
  double a = std::abs(v);
  if (a == 0 || !std::isfinite(a)) return fmt::format("{:g} {}", v, unit);
  int i = 0;
  if (a >= 1) {
    while ((a >= 1000 || rounds_to_thousand(a)) && i < 6) {
      a /= 1000;
      v /= 1000;
      ++i;
    }
    return fmt::format("{:.3g} {}{}", v, big[i], unit);
  }
  if (!allow_small) return fmt::format("{:.3g} {}", v, unit);
  while (a < 1 && i < 4) { a *= 1000; v *= 1000; ++i; }
  if (i > 0 && rounds_to_thousand(a)) {
    v /= 1000;
    --i;
  }
  return fmt::format("{:.3g} {}{}", v, small[i], unit);
}

}  // namespace

std::string format_time(double s) { return si(s, "s", true); }
std::string format_bytes(double b) { return si(b, "B", false); }
std::string format_rate(double r, const char* unit) { return si(r, unit, false); }
std::string format_percent(double f) { return fmt::format("{:+.1f}%", 100.0 * f); }

}  // namespace cw
