#include "serving/arrivals.hpp"

#include <fmt/core.h>

#include <cmath>
#include <numbers>

#include "config/error.hpp"

namespace cw {

double Rng::uniform() {
  // The top 53 bits as a fraction of 2^53: every double in [0, 1) on a 2^-53 grid.
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

double Rng::exponential(double rate) {
  // Inverse CDF: −ln(1 − U)/rate; 1 − U lies in (0, 1], so the log is finite.
  return -std::log1p(-uniform()) / rate;
}

double Rng::normal() {
  // Box–Muller (1958): sqrt(−2 ln U1)·cos(2π U2), with U1 in (0, 1].
  const double u1 = 1.0 - uniform(), u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double Rng::gamma(double shape, double scale) {
  if (shape < 1.0) {
    // Gamma(k) = Gamma(k + 1)·U^(1/k) for k < 1 (Marsaglia & Tsang 2000, §6).
    const double u = 1.0 - uniform();
    return gamma(shape + 1.0, scale) * std::pow(u, 1.0 / shape);
  }
  // Marsaglia & Tsang (2000), "A simple method for generating gamma variables".
  // Acceptance is above 95% for every shape >= 1, so the loop ends quickly; the
  // bound only guards against a broken engine.
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    double x = normal(), v = 1.0 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const double u = 1.0 - uniform();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v * scale;
  }
  return shape * scale;  // unreachable in practice: the mean
}

uint64_t Rng::index(uint64_t n) {
  // Rejection keeps it exactly uniform: draws in the incomplete top range are redrawn.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x = engine_();
  while (x >= limit) x = engine_();
  return x % n;
}

std::vector<double> arrival_times(const ArrivalProcess& p, int64_t n, uint64_t seed) {
  std::vector<double> t(static_cast<size_t>(std::max<int64_t>(n, 0)), 0.0);
  if (p.kind == ArrivalKind::offline) return t;
  if (!(p.rate > 0) || !std::isfinite(p.rate)) {
    throw UserError("arrival rate must be a positive number of requests per second (got " +
                    fmt::format("{}", p.rate) + "); pass e.g. --rate 10");
  }
  if (p.kind == ArrivalKind::gamma && (!(p.cv > 0) || !std::isfinite(p.cv))) {
    throw UserError(
        fmt::format("gamma arrivals need a positive coefficient of variation "
                    "(got {}); cv = 1 is Poisson, larger is burstier",
                    p.cv));
  }
  Rng rng(seed);
  // Gamma gaps with shape k = 1/cv² and scale cv²/rate have mean 1/rate and
  // coefficient of variation cv (Vidur's gamma arrival generator does the same).
  const double shape = 1.0 / (p.cv * p.cv), scale = p.cv * p.cv / p.rate;
  double now = 0;
  for (auto& x : t) {
    now += p.kind == ArrivalKind::poisson ? rng.exponential(p.rate) : rng.gamma(shape, scale);
    x = now;
  }
  return t;
}

std::string describe(const ArrivalProcess& p) {
  switch (p.kind) {
    case ArrivalKind::offline:
      return "offline";
    case ArrivalKind::poisson:
      return fmt::format("poisson {:g}/s", p.rate);
    case ArrivalKind::gamma:
      return fmt::format("gamma {:g}/s cv {:g}", p.rate, p.cv);
  }
  return "?";
}

}  // namespace cw
