#include "serving/early_stopping.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "config/error.hpp"

namespace cw {
namespace {

// log(e^a + e^b) without overflow or underflow.
double log_add(double a, double b) {
  if (a == -std::numeric_limits<double>::infinity()) return b;
  const double hi = std::max(a, b), lo = std::min(a, b);
  return hi + std::log1p(std::exp(lo - hi));
}

}  // namespace

int64_t early_stopping_overruns(int64_t n, double percentile, double confidence) {
  if (!(percentile > 0 && percentile < 1) || !(confidence > 0 && confidence < 1) || n < 0) {
    throw InternalError("early stopping needs 0 < percentile, confidence < 1 and n >= 0");
  }
  // Binomial CDF summed term by term in log space (n reaches millions, where
  // (1 − q)^n underflows a double): log pmf(0) = n·log(1 − q) and
  // pmf(k + 1) = pmf(k) · (n − k)/(k + 1) · q/(1 − q).
  const double q = 1 - percentile;
  const double limit = std::log1p(-confidence);
  const double ratio = std::log(q) - std::log1p(-q);
  double log_pmf = static_cast<double>(n) * std::log1p(-q);
  double log_cdf = -std::numeric_limits<double>::infinity();
  int64_t t = -1;
  for (int64_t k = 0; k <= n; ++k) {
    log_cdf = log_add(log_cdf, log_pmf);
    if (log_cdf > limit) break;
    t = k;
    log_pmf += std::log(static_cast<double>(n - k)) - std::log(static_cast<double>(k + 1)) + ratio;
  }
  return t;
}

EarlyStoppingEstimate early_stopping_estimate(std::vector<double> latencies, double percentile,
                                              double confidence) {
  EarlyStoppingEstimate e;
  e.queries = static_cast<int64_t>(latencies.size());
  e.overruns_allowed = early_stopping_overruns(e.queries, percentile, confidence);
  if (e.overruns_allowed < 0) {
    e.estimate = std::numeric_limits<double>::infinity();
    return e;
  }
  // Only the (t* + 1)-th largest value is needed: a partial selection, not a sort.
  const auto k = static_cast<size_t>(e.queries - e.overruns_allowed - 1);
  std::nth_element(latencies.begin(), latencies.begin() + static_cast<std::ptrdiff_t>(k),
                   latencies.end());
  e.estimate = latencies[k];
  return e;
}

}  // namespace cw
