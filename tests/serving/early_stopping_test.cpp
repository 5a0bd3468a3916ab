// LoadGen early stopping: the binomial overrun bound against values computed
// exactly (Python fractions over the binomial CDF) and LoadGen's own
// SingleStream message, and the percentile estimate it gives.
#include "serving/early_stopping.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace cw {
namespace {

TEST(EarlyStopping, OverrunsAllowedAtP99) {
  // No overrun passes once 0.99^n <= 0.01: n >= 459 (0.99^458 = 0.01002).
  EXPECT_EQ(early_stopping_overruns(458, 0.99), -1);
  EXPECT_EQ(early_stopping_overruns(459, 0.99), 0);
  // One overrun: 0.99^n + n·0.01·0.99^(n−1) <= 0.01 from n = 662.
  EXPECT_EQ(early_stopping_overruns(661, 0.99), 0);
  EXPECT_EQ(early_stopping_overruns(662, 0.99), 1);
  // Larger runs (exact binomial sums): well below the 1% a p99 allows.
  EXPECT_EQ(early_stopping_overruns(10000, 0.99), 77);
  EXPECT_EQ(early_stopping_overruns(24576, 0.99), 209);
}

TEST(EarlyStopping, MatchesLoadGenSingleStreamMinimum) {
  // LoadGen (p90, one overrun): "Need to process at least 64 queries".
  EXPECT_EQ(early_stopping_overruns(63, 0.90), 0);
  EXPECT_EQ(early_stopping_overruns(64, 0.90), 1);
  EXPECT_EQ(early_stopping_overruns(43, 0.90), -1);
  EXPECT_EQ(early_stopping_overruns(44, 0.90), 0);
}

TEST(EarlyStopping, LargeRunsDoNotUnderflow) {
  // 0.99^2e6 underflows a double; the log-space sum must still find t*,
  // which approaches n(1 − p) from below as n grows.
  const int64_t t = early_stopping_overruns(2'000'000, 0.99);
  EXPECT_GT(t, 19'600);
  EXPECT_LT(t, 20'000);
  EXPECT_LE(early_stopping_overruns(2'000'001, 0.99) - t, 1);
}

TEST(EarlyStopping, EstimateIsTheLargestLatencyBeyondAllowedOverruns) {
  // 1000 latencies 1..1000 ms in reverse order: t* = 2, so the estimate is
  // the third largest (998 ms), above the sample p99 sorted[990] = 991 ms.
  std::vector<double> v;
  for (int i = 1000; i >= 1; --i) v.push_back(i * 1e-3);
  const EarlyStoppingEstimate e = early_stopping_estimate(v, 0.99);
  EXPECT_EQ(e.queries, 1000);
  EXPECT_EQ(e.overruns_allowed, 2);
  EXPECT_DOUBLE_EQ(e.estimate, 0.998);
}

TEST(EarlyStopping, TooFewQueriesGiveNoEstimate) {
  const EarlyStoppingEstimate e = early_stopping_estimate(std::vector<double>(100, 0.001), 0.99);
  EXPECT_EQ(e.overruns_allowed, -1);
  EXPECT_TRUE(std::isinf(e.estimate));
}

}  // namespace
}  // namespace cw
