#include "engine/expert_load.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <numbers>

#include "config/error.hpp"

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

void check_routing_options(double skew, bool eplb, bool moe, const std::string& model) {
  if (!(skew >= 0 && skew <= kMaxRoutingSkew)) {
    throw UserError(fmt::format(
        "--routing-skew {}: expected a Zipf exponent from 0 (uniform routing, the default) to {}",
        skew, kMaxRoutingSkew));
  }
  if (moe) return;
  if (skew > 0) {
    throw UserError(fmt::format(
        "--routing-skew {} describes a mixture-of-experts router; {} is dense (drop it)", skew,
        model));
  }
  if (eplb) {
    throw UserError(fmt::format(
        "--eplb balances routed experts over expert-parallel ranks; {} is dense (drop --eplb)",
        model));
  }
}

std::vector<double> zipf_popularity(int64_t experts, double skew) {
  std::vector<double> p(static_cast<size_t>(experts));
  double sum = 0;
  for (int64_t i = 0; i < experts; ++i) sum += p[i] = std::pow(static_cast<double>(i + 1), -skew);
  for (double& x : p) x /= sum;
  return p;
}

std::vector<double> inclusion_chances(const std::vector<double>& popularity, int k) {
  // Water-filling: the experts whose c·p_i would exceed 1 are picked by every
  // token; c spreads the remaining picks over the rest in proportion to p.
  std::vector<double> sorted = popularity;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  double rest = 0;
  for (double x : sorted) rest += x;
  double c = 0;
  for (size_t m = 0; m < sorted.size(); ++m) {
    c = (k - static_cast<double>(m)) / rest;
    if (c * sorted[m] <= 1) break;
    rest -= sorted[m];
  }
  std::vector<double> pick;
  pick.reserve(popularity.size());
  for (double x : popularity) pick.push_back(std::min(1.0, c * x));
  return pick;
}

ExpertPlacement place_experts(int64_t experts, int experts_per_token, int ranks, double skew,
                              bool eplb, int redundant) {
  ExpertPlacement pl;
  pl.ranks = ranks;
  pl.experts = experts;
  pl.slots = (experts + redundant) / ranks;
  pl.share = 1.0 / ranks;
  if (skew == 0 && !eplb) return pl;  // uniform routing, static placement
  pl.pick = inclusion_chances(zipf_popularity(experts, skew), experts_per_token);
  // Expert i's share of the routed choices: its inclusion chance over k.
  const double k = experts_per_token, e = static_cast<double>(experts);
  std::vector<double> p(pl.pick.size());
  for (size_t i = 0; i < p.size(); ++i) p[i] = pl.pick[i] / k;
  double sum_sq = 0;
  for (double x : p) sum_sq += x * x;
  if (!eplb) {
    // Sum of L = E/ranks popularities drawn without replacement.
    const double l = e / ranks, variance = sum_sq / e - 1.0 / (e * e);
    pl.share_sd = experts > 1 ? std::sqrt(l * variance * (e - l) / (e - 1)) : 0.0;
    pl.copy_cv2 = e * sum_sq - 1;
    return pl;
  }
  // eplb.py replicate_experts: each extra copy to the highest load per copy.
  std::vector<int64_t> copies(p.size(), 1);
  for (int r = 0; r < redundant; ++r) {
    size_t best = 0;
    for (size_t i = 1; i < p.size(); ++i)
      if (p[i] / copies[i] > p[best] / copies[best]) best = i;
    ++copies[best];
  }
  std::vector<double> loads;
  for (size_t i = 0; i < p.size(); ++i)
    for (int64_t c = 0; c < copies[i]; ++c) loads.push_back(p[i] / copies[i]);
  std::sort(loads.begin(), loads.end(), std::greater<>());
  // balanced_packing: heaviest copy first, to the lightest rank with a free slot.
  std::vector<double> load(ranks, 0.0), load_sq(ranks, 0.0);
  std::vector<int64_t> used(ranks, 0);
  for (double x : loads) {
    int best = -1;
    for (int r = 0; r < ranks; ++r)
      if (used[r] < pl.slots && (best < 0 || load[r] < load[best])) best = r;
    load[best] += x;
    load_sq[best] += x * x;
    ++used[best];
  }
  const int busiest = static_cast<int>(std::max_element(load.begin(), load.end()) - load.begin());
  pl.share = load[busiest];
  const double mean = load[busiest] / used[busiest];
  pl.copy_cv2 = std::max(0.0, load_sq[busiest] / used[busiest] / (mean * mean) - 1);
  return pl;
}

double busiest_receive_factor(const ExpertPlacement& placement, double z) {
  return std::max(1.0, placement.ranks * (placement.share + z * placement.share_sd));
}

TouchedExperts touched_experts(const ExpertPlacement& pl, int experts_per_token, int64_t tokens,
                               double z) {
  const double e = static_cast<double>(pl.experts), l = static_cast<double>(pl.slots);
  const double t = static_cast<double>(tokens);
  TouchedExperts r;
  double sd = 0;
  if (pl.pick.empty()) {
    r.total = e * (1.0 - std::pow(1.0 - experts_per_token / e, t));
  } else {
    double sum_sq = 0;
    for (double q : pl.pick) {
      const double tau = 1.0 - std::pow(1.0 - q, t);
      r.total += tau;
      sum_sq += tau * tau;
    }
    if (pl.experts > 1) {
      const double mean = r.total / e, variance = std::max(0.0, sum_sq / e - mean * mean);
      sd = std::sqrt(l * variance * std::max(0.0, e - l) / (e - 1));
    }
  }
  r.busiest_rank = std::clamp(r.total * l / e + z * sd, 1.0, l);
  return r;
}

ExpertRows busiest_rank_rows(int64_t assignments, int64_t touched, int64_t local,
                             const ExpertPlacement& pl, double z) {
  const double a = static_cast<double>(assignments), m = pl.share;
  const double sd = std::sqrt(a * a * pl.share_sd * pl.share_sd + a * m * (1 - m));
  const double rank_rows = std::min(a, a * m + z * sd);
  const double mu = std::max(1.0, rank_rows / static_cast<double>(local));
  ExpertRows r;
  if (local == 1) {
    r.hi = std::max<int64_t>(1, std::llround(std::ceil(rank_rows - 1e-9)));
    return r;
  }
  const double spread =
      std::sqrt(mu * (1.0 - 1.0 / static_cast<double>(touched)) + mu * mu * pl.copy_cv2);
  r.experts_hi = (local + 1) / 2;
  r.experts_lo = local / 2;
  r.lo = std::max<int64_t>(1, std::llround(mu - spread));
  r.hi = std::max<int64_t>(1, std::llround(mu + spread));
  if (mu - spread < 0.5) {
    // A spread as wide as the mean (few rows per expert, or skewed
    // popularity): the cold half keeps one row each, and the hot half never
    // holds more than the rest of the rank's rows.
    const double rest = rank_rows - static_cast<double>(r.lo * r.experts_lo);
    r.hi = std::clamp<int64_t>(
        std::llround(std::ceil(rest / static_cast<double>(r.experts_hi) - 1e-9)), 1, r.hi);
  }
  return r;
}

}  // namespace cw
