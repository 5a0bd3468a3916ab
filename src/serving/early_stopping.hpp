// MLPerf LoadGen's early-stopping check for a latency percentile (Server and
// Interactive). LoadGen does not trust the sample p99 alone: it asks whether
// the run shows, at 99% confidence, that the true p99 meets the bound.
//
// What is implemented (LoadGen early_stopping.cc MinPassingQueriesFinder and
// results.cc PerformanceSummary::EarlyStopping, with LoadGen's settings
// confidence c = 0.99 and tolerance d = 0; reference/mlperf.md §1.2 says the
// check applies to both TTFT and TPOT): under the null hypothesis that the
// true percentile p misses the bound, each query overruns it with probability
// at least 1 − p, so the overrun count X of n queries is Binomial(n, 1 − p).
// A run with t overruns passes when P(X <= t) <= 1 − c. The early-stopping
// percentile estimate is the smallest latency bound the run would pass: with
// t* the largest overrun count that still passes for n queries, the
// (t* + 1)-th largest latency, sorted[n − t* − 1]. Worked values (tests):
// p = 0.99 needs n >= 459 queries with no overrun (0.99^459 = 0.00992), and
// p = 0.90 needs 64 queries for one overrun (LoadGen's SingleStream message
// "Need to process at least 64 queries").
#pragma once

#include <cstdint>
#include <vector>

namespace cw {

// LoadGen's early-stopping settings (results.cc: confidence 0.99, tolerance 0).
inline constexpr double kEarlyStoppingConfidence = 0.99;

// t*: the largest t with P(Binomial(n, 1 − percentile) <= t) <= 1 − confidence;
// −1 when even a run without overruns is too short to pass.
int64_t early_stopping_overruns(int64_t n, double percentile,
                                double confidence = kEarlyStoppingConfidence);

struct EarlyStoppingEstimate {
  int64_t queries = 0;
  int64_t overruns_allowed = -1;  // t*; −1 = too few queries, the estimate is infinite
  double estimate = 0;            // seconds: sorted[n − t* − 1], +inf when t* = −1
};

// The early-stopping estimate of the `percentile` of `latencies` (seconds).
EarlyStoppingEstimate early_stopping_estimate(std::vector<double> latencies, double percentile,
                                              double confidence = kEarlyStoppingConfidence);

}  // namespace cw
