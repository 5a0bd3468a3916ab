// Arrival processes: rates, burstiness and determinism under a seed.
#include "serving/arrivals.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "config/error.hpp"

namespace cw {
namespace {

// Mean and coefficient of variation of the gaps between arrivals.
std::pair<double, double> gap_stats(const std::vector<double>& t) {
  double sum = 0, sq = 0, prev = 0;
  for (double x : t) {
    sum += x - prev;
    sq += (x - prev) * (x - prev);
    prev = x;
  }
  const double n = static_cast<double>(t.size());
  const double mean = sum / n;
  return {mean, std::sqrt(sq / n - mean * mean) / mean};
}

TEST(ServingArrivals, PoissonHasTheRateAndUnitCv) {
  auto t = arrival_times({ArrivalKind::poisson, 50, 1}, 200000, 1);
  auto [mean, cv] = gap_stats(t);
  EXPECT_NEAR(mean, 1.0 / 50, 0.01 / 50);
  EXPECT_NEAR(cv, 1.0, 0.01);
}

TEST(ServingArrivals, GammaIsBursty) {
  for (double want : {0.5, 3.0}) {
    auto t = arrival_times({ArrivalKind::gamma, 20, want}, 200000, 2);
    auto [mean, cv] = gap_stats(t);
    EXPECT_NEAR(mean, 1.0 / 20, 0.02 / 20) << want;
    EXPECT_NEAR(cv, want, 0.03 * want) << want;
  }
}

TEST(ServingArrivals, OfflineIsAllAtZero) {
  for (double x : arrival_times({ArrivalKind::offline, 1, 1}, 10, 3)) EXPECT_EQ(x, 0);
}

TEST(ServingArrivals, SameSeedSameTimesOtherSeedOtherTimes) {
  ArrivalProcess p{ArrivalKind::poisson, 5, 1};
  EXPECT_EQ(arrival_times(p, 100, 42), arrival_times(p, 100, 42));
  EXPECT_NE(arrival_times(p, 100, 42), arrival_times(p, 100, 43));
}

TEST(ServingArrivals, RejectsBadRate) {
  EXPECT_THROW(arrival_times({ArrivalKind::poisson, 0, 1}, 5, 1), UserError);
  EXPECT_THROW(arrival_times({ArrivalKind::gamma, 1, -1}, 5, 1), UserError);
}

TEST(ServingArrivals, ShuffleIsAPermutation) {
  std::vector<int> v(1000);
  for (int i = 0; i < 1000; ++i) v[static_cast<size_t>(i)] = i;
  Rng rng(7);
  shuffle(v, rng);
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(sorted[static_cast<size_t>(i)], i);
  EXPECT_NE(v[0] + v[1] * 1000, 1000);  // not the identity (probability ~1e-6)
}

}  // namespace
}  // namespace cw
