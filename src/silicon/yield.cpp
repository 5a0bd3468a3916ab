#include "silicon/yield.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "config/did_you_mean.hpp"
#include "config/error.hpp"

namespace cw {
namespace {

void check(double area_cm2, double d0) {
  if (!(area_cm2 >= 0) || !std::isfinite(area_cm2))
    throw UserError(fmt::format("die area must be a non-negative number of cm², got {}", area_cm2));
  if (!(d0 >= 0) || !std::isfinite(d0))
    throw UserError(
        fmt::format("defect density must be a non-negative number per cm², got {}", d0));
}

void check_alpha(double alpha) {
  if (!(alpha > 0) || !std::isfinite(alpha))
    throw UserError(
        fmt::format("clustering alpha must be positive, got {} (silicon.md §5: "
                    "2-3 for a whole-die D0)",
                    alpha));
}

}  // namespace

YieldModel parse_yield_model(const std::string& name) {
  if (name == "poisson") return YieldModel::poisson;
  if (name == "murphy") return YieldModel::murphy;
  if (name == "negative_binomial") return YieldModel::negative_binomial;
  throw UserError("unknown yield model '" + name +
                  "': " + suggestion(name, {"poisson", "murphy", "negative_binomial"}));
}

const char* yield_model_name(YieldModel m) {
  switch (m) {
    case YieldModel::poisson:
      return "poisson";
    case YieldModel::murphy:
      return "murphy";
    case YieldModel::negative_binomial:
      return "negative_binomial";
  }
  return "?";
}

double yield_poisson(double a, double d0) {
  check(a, d0);
  return std::exp(-a * d0);
}

double yield_murphy(double a, double d0) {
  check(a, d0);
  const double ad = a * d0;
  if (ad < 1e-12) return 1.0;  // limit of (1 - e^-x)/x as x → 0
  const double f = (1 - std::exp(-ad)) / ad;
  return f * f;
}

double yield_negative_binomial(double a, double d0, double alpha) {
  check(a, d0);
  check_alpha(alpha);
  return std::pow(1 + a * d0 / alpha, -alpha);
}

double die_yield(YieldModel m, double a, double d0, double alpha) {
  switch (m) {
    case YieldModel::poisson:
      return yield_poisson(a, d0);
    case YieldModel::murphy:
      return yield_murphy(a, d0);
    case YieldModel::negative_binomial:
      return yield_negative_binomial(a, d0, alpha);
  }
  throw InternalError("unhandled yield model");
}

double repair_yield(YieldModel m, double a, double d0, double alpha, int spares) {
  check(a, d0);
  if (spares < 0) throw UserError(fmt::format("spare units must be >= 0, got {}", spares));
  const double mean = a * d0;  // expected defects in the repairable area
  double p = 0, sum = 0;
  if (m == YieldModel::negative_binomial) {
    check_alpha(alpha);
    // NB pmf: P(0) = (α/(α+μ))^α, P(k) = P(k-1) · (k-1+α)/k · μ/(α+μ).
    const double q = mean / (alpha + mean);
    p = std::pow(alpha / (alpha + mean), alpha);
    for (int k = 0; k <= spares; ++k) {
      if (k > 0) p *= (k - 1 + alpha) / k * q;
      sum += p;
    }
  } else {
    // Poisson pmf: P(k) = e^-μ μ^k / k!.
    p = std::exp(-mean);
    for (int k = 0; k <= spares; ++k) {
      if (k > 0) p *= mean / k;
      sum += p;
    }
  }
  return std::min(1.0, sum);
}

double dies_per_wafer(double s, double d) {
  if (!(s > 0) || !std::isfinite(s))
    throw UserError(fmt::format("die area must be positive, got {} mm²", s));
  if (!(d > 0)) throw UserError(fmt::format("wafer diameter must be positive, got {} mm", d));
  const double pi = std::numbers::pi;
  return std::max(0.0, pi * (d / 2) * (d / 2) / s - pi * d / std::sqrt(2 * s));
}

double die_cost(double wafer_price, double s, double yield, double d) {
  const double whole = std::floor(dies_per_wafer(s, d));
  if (whole < 1)
    throw UserError(fmt::format("a {:.0f} mm² die does not fit on a {:.0f} mm wafer", s, d));
  if (!(yield > 0 && yield <= 1))
    throw UserError(
        fmt::format("yield must be in (0, 1], got {}: the defect density or die "
                    "area is too high to yield a good die",
                    yield));
  return wafer_price / (whole * yield);
}

}  // namespace cw
