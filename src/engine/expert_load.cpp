#include "engine/expert_load.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numbers>

namespace cw {

namespace {

double integrate_expected_max(int n) {
  // Trapezoid rule over [-9, 9] (the density beyond is below 1e-17).
  constexpr double lo = -9, hi = 9, step = 1e-2;
  const double inv_sqrt_2pi = 1.0 / std::sqrt(2.0 * std::numbers::pi);
  double sum = 0;
  for (double x = lo; x <= hi; x += step) {
    const double pdf = inv_sqrt_2pi * std::exp(-0.5 * x * x);
    const double cdf = 0.5 * std::erfc(-x / std::numbers::sqrt2);
    sum += x * n * pdf * std::pow(cdf, n - 1);
  }
  return sum * step;
}

}  // namespace

double expected_max_standard_normal(int n) {
  if (n <= 1) return 0;
  // Integrated once per n (a StepModel is built per plan a search tries).
  static std::mutex mutex;
  static std::map<int, double> memo;
  std::lock_guard<std::mutex> lock(mutex);
  auto [it, inserted] = memo.try_emplace(n, 0.0);
  if (inserted) it->second = integrate_expected_max(n);
  return it->second;
}

ExpertRows busiest_rank_rows(int64_t assignments, int64_t touched, int ranks, int64_t local,
                             double z) {
  const double a = static_cast<double>(assignments);
  const double p = 1.0 / ranks;
  const double rank_rows = std::min(a, a * p + z * std::sqrt(a * p * (1 - p)));
  const double mu = std::max(1.0, rank_rows / static_cast<double>(local));
  ExpertRows r;
  if (local == 1) {
    r.hi = std::max<int64_t>(1, std::llround(std::ceil(rank_rows - 1e-9)));
    return r;
  }
  const double sd = std::sqrt(mu * (1.0 - 1.0 / static_cast<double>(touched)));
  r.hi = std::max<int64_t>(1, std::llround(mu + sd));
  r.lo = std::max<int64_t>(1, std::llround(mu - sd));
  r.experts_hi = (local + 1) / 2;
  r.experts_lo = local / 2;
  return r;
}

}  // namespace cw
