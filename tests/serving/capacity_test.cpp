// Serving capacity: the fastest rate within the objectives, bracketed and
// bisected on one deployment; the fleet a target stream needs.
#include "serving/capacity.hpp"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/user_error.hpp"
#include "serving/capacity_tuning.hpp"

namespace cw {
namespace {

using test::error_of;
using test::has;

ServeOptions h100_pair(double slo_ttft, double slo_tpot) {
  ServeOptions o;
  o.chip = "h100-sxm";
  o.count = 2;
  o.tp = 2;
  o.model = "llama3.1-70b";
  o.dataset = "mlperf-llama2-70b";
  o.requests = 600;
  o.arrivals.kind = ArrivalKind::poisson;
  o.slo.ttft = slo_ttft;
  o.slo.tpot = slo_tpot;
  return o;
}

TEST(Capacity, IsTheFastestProbedRateThatMeetsTheObjectives) {
  const ServeOptions o = h100_pair(0.45, 0.04);
  const CapacityResult c = find_capacity(o);
  ASSERT_TRUE(c.found) << c.limit;
  // The run reported is at the capacity and meets both objectives.
  EXPECT_LE(c.run.metrics.ttft.p99, 0.45);
  EXPECT_LE(c.run.metrics.tpot.p99, 0.04);
  EXPECT_EQ(c.run.arrivals, fmt::format("poisson {:g}/s", c.rate));
  // Every probe that met them is no faster; every one that broke them is
  // faster; the slowest that broke them is within 1% of the capacity.
  double slowest_broken = INFINITY;
  for (const CapacityProbe& p : c.probes) {
    EXPECT_EQ(p.meets, p.ttft_p99 <= 0.45 && p.tpot_p99 <= 0.04);
    if (p.meets) {
      EXPECT_LE(p.rate, c.rate);
    } else {
      EXPECT_GT(p.rate, c.rate);
      slowest_broken = std::min(slowest_broken, p.rate);
    }
  }
  EXPECT_LE(slowest_broken - c.rate, 0.01 * slowest_broken);
  EXPECT_TRUE(has(c.limit, "p99 TTFT")) << c.limit;
  // The same requests all at t = 0 are the bracket's start.
  EXPECT_DOUBLE_EQ(c.probes.front().rate, c.offline_rate);
  // Identical to a plain serve run at that rate.
  ServeOptions at = o;
  at.arrivals.rate = c.rate;
  const ServeResult plain = run_serve(at);
  EXPECT_DOUBLE_EQ(plain.metrics.ttft.p99, c.run.metrics.ttft.p99);
  EXPECT_DOUBLE_EQ(plain.metrics.output_tokens_per_s, c.run.metrics.output_tokens_per_s);
  EXPECT_DOUBLE_EQ(plain.economics.dollars_per_mtok, c.run.economics.dollars_per_mtok);
}

TEST(Capacity, LooserObjectivesNeverLowerIt) {
  const CapacityResult tight = find_capacity(h100_pair(0.45, 0.04));
  const CapacityResult loose = find_capacity(h100_pair(2.0, 0.2));  // MLPerf Server's bounds
  ASSERT_TRUE(tight.found && loose.found);
  EXPECT_GE(loose.rate, tight.rate * 0.99);
}

TEST(Capacity, ObjectivesNoRateMeetsAreReported) {
  const CapacityResult c = find_capacity(h100_pair(0.001, INFINITY));  // 1 ms TTFT for 70B
  EXPECT_FALSE(c.found);
  EXPECT_TRUE(has(c.limit, "p99 TTFT")) << c.limit;
  EXPECT_DOUBLE_EQ(c.rate, c.offline_rate / 100);
  const nlohmann::json j = to_json(c, 10);
  EXPECT_TRUE(j["capacity"]["requests_per_s"].is_null());
  EXPECT_TRUE(j["fleet"]["deployments"].is_null());
}

TEST(Capacity, FleetIsCopiesAtCapacity) {
  CapacityResult c;
  c.found = true;
  c.rate = 26.1;
  c.run.deployment.count = 2;
  EXPECT_EQ(fleet_for(c, 100).deployments, 4);  // ceil(100 / 26.1)
  EXPECT_EQ(fleet_for(c, 100).chips, 8);
  EXPECT_EQ(fleet_for(c, 26.1).deployments, 1);  // exactly one copy's worth
  EXPECT_EQ(fleet_for(c, 0).deployments, 0);
  EXPECT_EQ(fleet_for(c, 100).dollars_per_hour, 0);  // no economics: not costed
  c.run.economics.sheet.tco.per_chip_hour = 2.5;
  EXPECT_DOUBLE_EQ(fleet_for(c, 100).dollars_per_hour, 8 * 2.5);
}

TEST(Capacity, AMinimumDurationCyclesTheRequestsAtEachRate) {
  // LoadGen's rule: arrivals continue for min_duration. The run at the
  // capacity then holds at least rate x duration requests, cycled from the
  // 600 given, and a long run cannot absorb a burst a short one does.
  ServeOptions o = h100_pair(0.45, 0.04);
  const CapacityResult short_run = find_capacity(o);
  o.min_duration = 120;
  const CapacityResult c = find_capacity(o);
  ASSERT_TRUE(c.found);
  EXPECT_GE(static_cast<double>(c.run.metrics.requests), c.rate * 120);
  EXPECT_GT(c.run.metrics.requests, 600);
  EXPECT_LE(c.rate, short_run.rate);
  o.min_duration = 1e9;
  EXPECT_TRUE(has(error_of([&] { find_capacity(o); }), "shorten --min-duration"));
}

TEST(Capacity, RefusesWhatItCannotSearch) {
  ServeOptions o = h100_pair(INFINITY, INFINITY);
  EXPECT_TRUE(has(error_of([&] { find_capacity(o); }), "give --slo-ttft and/or --slo-tpot"));
  o = h100_pair(0.45, 0.04);
  o.arrivals.kind = ArrivalKind::offline;
  EXPECT_TRUE(has(error_of([&] { find_capacity(o); }), "capacity searches the arrival rate"));
}

TEST(Capacity, WritesTheTimelineOfTheReportedRunOnly) {
  ServeOptions o = h100_pair(0.45, 0.04);
  o.requests = 100;
  o.timeline = testing::TempDir() + "capacity-timeline.json";
  std::remove(o.timeline.c_str());
  const CapacityResult c = find_capacity(o);
  ASSERT_TRUE(c.found);
  std::ifstream in(o.timeline);
  ASSERT_TRUE(in.good());
  const auto trace = nlohmann::json::parse(in);
  EXPECT_FALSE(trace["traceEvents"].empty());
}

// Llama-3.1-8B on 2 x H100, `requests` of its MLPerf dataset.
ServeOptions h100_pair_8b(int64_t requests, Slo slo) {
  ServeOptions o;
  o.chip = "h100-sxm";
  o.count = 2;
  o.model = "llama3.1-8b";
  o.dataset = "mlperf-llama3.1-8b";
  o.requests = requests;
  o.arrivals.kind = ArrivalKind::poisson;
  o.slo = slo;
  return o;
}

TEST(CapacityTuning, NeverLowersTheCapacityAndHonoursAPinnedTp) {
  ServeOptions o = h100_pair_8b(300, Slo{0.3, 0.02});
  const TunedCapacity t = tune_capacity(o, std::nullopt);
  ASSERT_TRUE(t.capacity.found);
  // The best point is the fastest tried, and no slower than the untuned start.
  for (const TunedPoint& p : t.tried) EXPECT_LE(p.rate, t.capacity.rate) << p.knobs.tp;
  o.tp = 1;
  const CapacityResult untuned = find_capacity(o);
  EXPECT_GE(t.capacity.rate, untuned.rate);
  // Both degrees that divide 2 chips were tried.
  std::set<int> degrees;
  for (const TunedPoint& p : t.tried) degrees.insert(p.knobs.tp);
  EXPECT_EQ(degrees, (std::set<int>{1, 2}));
  // The reported run is the best point's, as a plain capacity search finds it.
  EXPECT_DOUBLE_EQ(find_capacity(with_knobs(o, t.best)).rate, t.capacity.rate);
  // A pinned tp is the only one tried.
  const TunedCapacity pinned = tune_capacity(o, 2);
  for (const TunedPoint& p : pinned.tried) EXPECT_EQ(p.knobs.tp, 2);
  // With a timeline, the reported run is simulated once more to write it: same result.
  ServeOptions traced = o;
  traced.timeline = testing::TempDir() + "tuned-timeline.json";
  std::remove(traced.timeline.c_str());
  const TunedCapacity with_timeline = tune_capacity(traced, 2);
  EXPECT_DOUBLE_EQ(with_timeline.capacity.rate, pinned.capacity.rate);
  EXPECT_DOUBLE_EQ(with_timeline.capacity.run.metrics.ttft.p99,
                   pinned.capacity.run.metrics.ttft.p99);
  EXPECT_TRUE(std::ifstream(traced.timeline).good());
  const nlohmann::json j = to_json(pinned, 0);
  EXPECT_EQ(j["tuning"]["tp"], 2);
  EXPECT_EQ(j["tuning"]["tried"].size(), pinned.tried.size());
}

TEST(CapacityTuning, RefusesDisaggregatedPoolsAndReportsWhyNothingServes) {
  ServeOptions o = h100_pair_8b(50, Slo{0.0001, INFINITY});  // 0.1 ms TTFT
  std::string e = error_of([&] { tune_capacity(o, std::nullopt); });
  EXPECT_TRUE(has(e, "no deployment of llama3.1-8b on 2 x h100-sxm serves this traffic")) << e;
  EXPECT_TRUE(has(e, "p99 TTFT")) << e;
  o.split = PoolSplit{1, 1, 1, 1};
  e = error_of([&] { tune_capacity(o, std::nullopt); });
  EXPECT_TRUE(has(e, "drop --disaggregate")) << e;
}

}  // namespace
}  // namespace cw
