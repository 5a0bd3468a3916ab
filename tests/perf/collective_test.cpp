#include "perf/collective.hpp"

#include <gtest/gtest.h>

#include "../support/user_error.hpp"

#include <cmath>
#include <cstdio>
#include <functional>

#include "config/config_node.hpp"
#include "hardware/chip_loader.hpp"
#include "hardware/system_loader.hpp"

namespace cw {
namespace {

using cw::test::error_of;
using cw::test::has;

constexpr double us = 1e-6;

// Toy systems with round numbers. Chip: 4 links x 10 GB/s each way, 1 us per
// hop, 2 us kernel launch. Scale-up efficiency 0.5, so a switched rank moves
// 4 x 10 x 0.5 = 20 GB/s each way; NVLS at 0.25 -> 10 GB/s.
ChipSpec toy_chip() {
  ChipSpec c;
  c.id = "toy";
  c.links = LinkSpec{"toy-link", 4, 10e9, 1 * us};
  c.efficiency.kernel_launch = 2 * us;
  return c;
}

// 8 chips: two switched domains of 4, joined by a 10 GB/s NIC per chip at
// efficiency 0.5 (5 GB/s), 5 us per network hop.
SystemSpec toy_switch() {
  SystemSpec s;
  s.id = "toy-switch";
  s.chip = toy_chip();
  s.count = 8;
  s.scale_up.topology = Topology::switched;
  s.scale_up.domain = 4;
  s.scale_up.links = 4;
  s.scale_up.latency = 1 * us;
  s.scale_up.efficiency = 0.5;
  s.scale_up.in_switch_efficiency = 0.25;
  s.scale_out = ScaleOut{"toy-net", 10e9, 5 * us, 0.5, 2};
  return s;
}

// 4 chips, a full mesh: 3 links, one to each peer (10 GB/s x 0.5 = 5 GB/s per pair).
SystemSpec toy_mesh() {
  SystemSpec s = toy_switch();
  s.id = "toy-mesh";
  s.count = 4;
  s.scale_up.topology = Topology::full_mesh;
  s.scale_up.links = 3;
  s.scale_up.in_switch_efficiency = 0;
  s.scale_out = ScaleOut{};
  return s;
}

// 16 chips, a 4x4 torus with wraparound: each axis 2 links x 10 GB/s x 0.5 = 10 GB/s.
SystemSpec toy_torus() {
  SystemSpec s = toy_mesh();
  s.id = "toy-torus";
  s.count = 16;
  s.scale_up.topology = Topology::torus;
  s.scale_up.pod = {4, 4};
  s.scale_up.domain = 16;
  s.scale_up.wrap_multiple = 4;
  s.scale_up.links = 4;
  s.scale_up.dims = {4, 4};
  return s;
}

double time_of(const SystemSpec& s, CollectiveKind k, int n, double bytes, const std::string& alg) {
  return collective(s, k, n, bytes, alg).cost.time;
}

const auto AR = CollectiveKind::all_reduce;
const auto AG = CollectiveKind::all_gather;
const auto RS = CollectiveKind::reduce_scatter;
const auto A2A = CollectiveKind::all_to_all;

TEST(Collective, SwitchAllReduceAlgorithmsMatchHandArithmetic) {
  SystemSpec s = toy_switch();
  const double S = 1e6;  // 1 MB per rank, 4 ranks in one domain
  // ring: 2·3/4·1 MB / 20 GB/s = 75 us; 2·3 steps x 1 us; + 2 us launch
  EXPECT_NEAR(time_of(s, AR, 4, S, "ring"), (75 + 6 + 2) * us, 1e-12);
  // double binary tree: 2·1 MB / 20 GB/s = 100 us; 2·log2(4) = 4 steps; + 2
  EXPECT_NEAR(time_of(s, AR, 4, S, "double_binary_tree"), (100 + 4 + 2) * us, 1e-12);
  // NVLS: (1 + 1/4)·1 MB / 10 GB/s = 125 us; 2 steps; + 2
  EXPECT_NEAR(time_of(s, AR, 4, S, "nvls"), (125 + 2 + 2) * us, 1e-12);
  // one-shot: 3·1 MB / 20 GB/s = 150 us; 1 step; + 2
  EXPECT_NEAR(time_of(s, AR, 4, S, "one_shot"), (150 + 1 + 2) * us, 1e-12);
  // two-shot: ring bytes (75 us) in 2 steps; + 2
  EXPECT_NEAR(time_of(s, AR, 4, S, "two_shot"), (75 + 2 + 2) * us, 1e-12);
  CollectiveResult best = collective(s, AR, 4, S);
  EXPECT_EQ(best.algorithm, "two_shot");
  EXPECT_EQ(best.cost.bound, Bound::network);
  EXPECT_NEAR(best.cost.overhead_time, (2 + 2) * us, 1e-12);
  EXPECT_DOUBLE_EQ(best.scale_up_bytes, 1.5e6);
  // Above the 8 MiB custom all-reduce limit one- and two-shot are not offered.
  EXPECT_TRUE(has(error_of([&] { time_of(s, AR, 4, 16e6, "one_shot"); }), "does not apply"));
}

TEST(Collective, SwitchOtherCollectivesMatchHandArithmetic) {
  SystemSpec s = toy_switch();
  const double S = 1e6;
  // all-gather / reduce-scatter ring: 3/4·1 MB / 20 GB/s = 37.5 us; 3 steps; + 2
  EXPECT_NEAR(time_of(s, AG, 4, S, "ring"), (37.5 + 3 + 2) * us, 1e-12);
  EXPECT_NEAR(time_of(s, RS, 4, S, "ring"), (37.5 + 3 + 2) * us, 1e-12);
  // all-to-all direct: 3/4·1 MB / 20 GB/s = 37.5 us; 1 step; + 2
  EXPECT_NEAR(time_of(s, A2A, 4, S, "direct"), (37.5 + 1 + 2) * us, 1e-12);
  // send within a domain: 1 MB / 20 GB/s = 50 us + 1 + 2; across: 1 MB / 5 GB/s = 200 us + 5 + 2
  EXPECT_NEAR(send_recv(s, S, false).cost.time, (50 + 1 + 2) * us, 1e-12);
  EXPECT_NEAR(send_recv(s, S, true).cost.time, (200 + 5 + 2) * us, 1e-12);
}

TEST(Collective, MultiNodeAlgorithmsMatchHandArithmetic) {
  SystemSpec s = toy_switch();  // 8 ranks = 2 domains x 4
  const double S = 1e6;
  // Flat ring: each rank moves 2·7/8·1 MB = 1.75 MB; 3/4 over scale-up
  // (1.3125 MB / 20 GB/s = 65.6 us), 1/4 through its NIC (0.4375 MB / 5 GB/s
  // = 87.5 us, the busiest); 14 steps x 5 us (slowest hop); + 2
  EXPECT_NEAR(time_of(s, AR, 8, S, "ring"), (87.5 + 70 + 2) * us, 1e-12);
  // Tree: scale-up 2 MB / 20 GB/s = 100 us; NIC 2 MB / 4 / 5 GB/s = 100 us;
  // 2·log2(2) x 5 us + 2·log2(4) x 1 us = 14 us; + 2
  EXPECT_NEAR(time_of(s, AR, 8, S, "double_binary_tree"), (100 + 14 + 2) * us, 1e-12);
  // Hierarchical ring: intra RS + AG each 3/4·1 MB / 20 GB/s = 37.5 us (75 us
  // on scale-up); inter all-reduce of the 0.25 MB shard over 2 nodes:
  // 2·1/2·0.25 MB / 5 GB/s = 50 us on the NIC; overlapped -> 75 us;
  // latency 3 + 2·1·5 + 3 = 16 us; + 2
  EXPECT_NEAR(time_of(s, AR, 8, S, "hierarchical_ring"), (75 + 16 + 2) * us, 1e-12);
  // Hierarchical NVLS: RS out 1 MB + AG out 0.25 MB = 1.25 MB / 10 GB/s = 125 us;
  // latency 1 + 10 + 1 = 12 us; + 2
  EXPECT_NEAR(time_of(s, AR, 8, S, "hierarchical_nvls"), (125 + 12 + 2) * us, 1e-12);
  EXPECT_EQ(collective(s, AR, 8, S).algorithm, "hierarchical_ring");
  // All-to-all: 3/8 of 1 MB to domain peers (18.75 us), 4/8 through the NIC
  // (0.5 MB / 5 GB/s = 100 us); 1 step x 5 us; + 2
  EXPECT_NEAR(time_of(s, A2A, 8, S, "direct"), (100 + 5 + 2) * us, 1e-12);
  // Hierarchical all-gather: inter AG of the 0.25 MB block, 1/2·0.25 MB / 5 GB/s
  // = 25 us; intra AG 37.5 us (busiest); 5 + 3 steps' latency; + 2
  EXPECT_NEAR(time_of(s, AG, 8, S, "hierarchical_ring"), (37.5 + 8 + 2) * us, 1e-12);
}

TEST(Collective, DirectExchangeOfGivenLinkBytes) {
  SystemSpec s = toy_switch();  // 8 ranks = 2 domains x 4
  // 0.4 MB over scale-up (20 GB/s: 20 us) and 0.3 MB through the NIC
  // (5 GB/s: 60 us, the busiest); one step at the slowest hop (5 us); + 2.
  CollectiveResult r = direct_exchange(s, 8, 0.4e6, 0.3e6);
  EXPECT_NEAR(r.cost.time, (60 + 5 + 2) * us, 1e-12);
  EXPECT_DOUBLE_EQ(r.scale_up_bytes, 0.4e6);
  EXPECT_DOUBLE_EQ(r.scale_out_bytes, 0.3e6);
  // Inside one domain: 0.4 MB / 20 GB/s + 1 us + 2 us.
  EXPECT_NEAR(direct_exchange(s, 4, 0.4e6, 0).cost.time, (20 + 1 + 2) * us, 1e-12);
  EXPECT_DOUBLE_EQ(direct_exchange(s, 8, 0, 0).cost.time, 0.0);
  EXPECT_TRUE(has(error_of([&] { direct_exchange(s, 4, 0, 1e6); }), "no NIC traffic"));
}

TEST(Collective, FullMeshUsesOnlyTheGroupsLinks) {
  SystemSpec s = toy_mesh();
  const double S = 1e6;
  // 2 ranks: one 5 GB/s link; ring 2·1/2·1 MB / 5 GB/s = 200 us; 2 steps; + 2
  EXPECT_NEAR(time_of(s, AR, 2, S, "ring"), (200 + 2 + 2) * us, 1e-12);
  // 4 ranks: three links, 15 GB/s; 1.5 MB / 15 GB/s = 100 us; 6 steps; + 2
  EXPECT_NEAR(time_of(s, AR, 4, S, "ring"), (100 + 6 + 2) * us, 1e-12);
  // A mesh has no in-switch reduction.
  EXPECT_TRUE(has(error_of([&] { time_of(s, AR, 4, S, "nvls"); }), "valid:"));
  // A point-to-point send uses the one link between the pair: 1 MB / 5 GB/s.
  EXPECT_NEAR(send_recv(s, S, false).cost.time, (200 + 1 + 2) * us, 1e-12);
}

TEST(Collective, TorusRunsAllAxesAtOnce) {
  SystemSpec s = toy_torus();
  const double S = 1.6e6;
  // Two pieces of 0.8 MB; piece 0 reduces along x (3/4·0.8 = 0.6 MB) then y
  // (3/4·0.2 = 0.15 MB), piece 1 the other way: 0.75 MB per axis per phase
  // over 2 links x 10 GB/s x 0.5 = 10 GB/s -> 75 us; all-reduce = 2 phases
  // = 150 us; latency 2 x (3 + 3) x 1 us; + 2
  CollectiveResult r = collective(s, AR, 16, S);
  EXPECT_EQ(r.algorithm, "torus");
  EXPECT_NEAR(r.cost.time, (150 + 12 + 2) * us, 1e-12);
  EXPECT_NEAR(time_of(s, AG, 16, S, "torus"), (75 + 6 + 2) * us, 1e-12);
  // All-to-all: along a wrapped 4-ring the hop-bytes are S/4 x (0+1+2+1) =
  // 1.6 MB per axis / 10 GB/s = 160 us; 2 + 2 hops; + 2
  EXPECT_NEAR(time_of(s, A2A, 16, S, "torus"), (160 + 4 + 2) * us, 1e-12);
  // 4 ranks form a 2x2 sub-slice: 2-chip axes are single links, no wraparound:
  // each 5 GB/s; piece traffic per axis 1/2·0.8 + 1/2·0.4 = 0.6 MB -> 120 us
  // per phase; 240 us; latency 2 x (1 + 1); + 2
  EXPECT_NEAR(time_of(s, AR, 4, S, "torus"), (240 + 4 + 2) * us, 1e-12);
}

TEST(Collective, TrivialAndBadInput) {
  SystemSpec s = toy_switch();
  EXPECT_EQ(collective(s, AR, 1, 1e6).cost.time, 0);
  EXPECT_EQ(collective(s, AR, 1, 1e6).algorithm, "none");
  EXPECT_EQ(collective(s, AR, 4, 0).cost.time, 0);
  EXPECT_EQ(allreduce_cost(toy_chip(), 1, 1e6).time, 0);
  EXPECT_TRUE(has(error_of([&] { collective(s, AR, 9, 1e6); }), "use 1 to 8 ranks"));
  EXPECT_TRUE(
      has(error_of([&] { collective(s, AR, 6, 1e6); }), "does not fill whole 4-chip domains"));
  EXPECT_TRUE(has(error_of([&] { collective(s, AR, 4, -1); }), "bytes >= 0"));
  EXPECT_TRUE(has(error_of([&] { collective(s, AR, 4, 1e6, "rign"); }), "did you mean 'ring'"));
  EXPECT_TRUE(has(error_of([&] { send_recv(toy_mesh(), 1e6, true); }), "no scale-out network"));
}

TEST(Collective, SelectionFollowsMessageSize) {
  SystemSpec h100 = standard_system("h100-sxm", 8);
  EXPECT_EQ(collective(h100, AR, 8, 4096).algorithm, "one_shot");
  EXPECT_EQ(collective(h100, AR, 8, 1 << 30).algorithm, "nvls");
  SystemSpec a100 = standard_system("a100-sxm", 8);
  EXPECT_EQ(collective(a100, AR, 8, 4096).algorithm, "one_shot");
  EXPECT_EQ(collective(a100, AR, 8, 4 << 20).algorithm, "two_shot");
  EXPECT_EQ(collective(a100, AR, 8, 1 << 30).algorithm, "ring");
  // Across nodes, a small message takes the tree's log-depth latency.
  SystemSpec a100x16 = standard_system("a100-sxm", 16);
  EXPECT_EQ(collective(a100x16, AR, 16, 4096).algorithm, "double_binary_tree");
  EXPECT_EQ(collective(standard_system("tpu-v5e", 8), AR, 8, 1 << 20).algorithm, "torus");
}

TEST(Collective, SixteenH100SpanTwoNodesAndAreSlowerThanEight) {
  SystemSpec x16 = standard_system("h100-sxm", 16);
  SystemSpec x8 = standard_system("h100-sxm", 8);
  for (double bytes : {1e3, 1e5, 1e7, 1e9, 8.0 * (1 << 30)}) {
    SCOPED_TRACE(bytes);
    CollectiveResult r16 = collective(x16, AR, 16, bytes);
    EXPECT_GT(r16.cost.time, collective(x8, AR, 8, bytes).cost.time);
    EXPECT_GT(r16.scale_out_bytes, 0);
    EXPECT_GT(collective(x16, A2A, 16, bytes).cost.time, collective(x8, A2A, 8, bytes).cost.time);
  }
}

TEST(Collective, MoreBandwidthIsNeverSlower) {
  for (const char* chip : {"h100-sxm", "a100-sxm", "mi300x", "tpu-v5p", "gaudi3", "trainium2"}) {
    SystemSpec base = standard_system(chip, 16);
    SystemSpec fast = base;
    fast.chip.links.bandwidth_per_link *= 1.5;
    SystemSpec fast_net = base;
    fast_net.scale_out.bandwidth *= 1.5;
    for (auto kind : {AR, AG, RS, A2A}) {
      for (int n : {2, 4, 8, 16}) {
        for (double bytes : {1e3, 1e6, 1e9}) {
          SCOPED_TRACE(std::string(chip) + " " + collective_name(kind) + " n=" + std::to_string(n));
          double t = collective(base, kind, n, bytes).cost.time;
          EXPECT_LE(collective(fast, kind, n, bytes).cost.time, t);
          EXPECT_LE(collective(fast_net, kind, n, bytes).cost.time, t);
        }
      }
    }
  }
}

TEST(Collective, RingTimeGrowsWithRanksForFixedPerRankData) {
  SystemSpec s = standard_system("h100-sxm", 8);
  double prev_ar = 0, prev_ag = 0;
  for (int n = 2; n <= 8; ++n) {
    double ar = time_of(s, AR, n, 64e6, "ring");     // each rank's buffer fixed
    double ag = time_of(s, AG, n, n * 8e6, "ring");  // each rank's contribution fixed
    EXPECT_GT(ar, prev_ar) << n;
    EXPECT_GT(ag, prev_ag) << n;
    prev_ar = ar;
    prev_ag = ag;
  }
}

TEST(Collective, NeverBeatsTheRawLinks) {
  for (const char* chip : {"h100-sxm", "a100-sxm", "mi300x", "gb200", "gaudi3"}) {
    for (int n : {2, 8, 16}) {
      SystemSpec s = standard_system(chip, 16);
      double up_raw = s.scale_up_bandwidth();
      for (auto kind : {AR, AG, RS, A2A}) {
        for (const auto& r : collective_candidates(s, kind, n, 1e8)) {
          SCOPED_TRACE(std::string(chip) + " " + r.algorithm);
          EXPECT_GE(r.cost.time, r.scale_up_bytes / up_raw);
          EXPECT_GE(r.cost.time, r.scale_out_bytes / s.scale_out.bandwidth);
        }
      }
    }
  }
}

TEST(Collective, AllreduceCostUsesTheStandardSystem) {
  ChipSpec h100 = load_chip("h100-sxm");
  Cost c = allreduce_cost(h100, 8, 1 << 30);
  EXPECT_DOUBLE_EQ(c.time, collective(standard_system("h100-sxm", 8), AR, 8, 1 << 30).cost.time);
  EXPECT_EQ(c.bound, Bound::network);
  EXPECT_GT(allreduce_cost(h100, 16, 1 << 30).time, c.time);
}

// Calibration: nccl-tests all_reduce_perf bus bandwidth at 8 GiB
// (tests/data/calibration/cases.yaml, kind allreduce), each within 10%.
TEST(CollectiveCalibration, AllReduceBusBandwidthWithinTenPercent) {
  ConfigNode cases = ConfigNode::load_file(CHIPWRIGHT_CALIBRATION);
  int seen = 0;
  for (const auto& c : cases.items()) {
    if (c.required("kind").as_string() != "allreduce") continue;
    ++seen;
    std::string id = c.required("id").as_string();
    std::string chip = c.required("chip").as_string();
    int n = static_cast<int>(c.required("count").as_int());
    double bytes = c.required("bytes").as_double();
    double measured = c.required("measured").as_double();
    CollectiveResult r = collective(standard_system(chip, n), AR, n, bytes);
    EXPECT_DOUBLE_EQ(r.cost.time, allreduce_cost(load_chip(chip), n, bytes).time);
    double predicted = bus_bandwidth(AR, n, bytes, r.cost.time) / 1e9;
    double err = predicted / measured - 1;
    std::printf("  %-24s predicted %7.1f GB/s  measured %7.1f  error %+6.1f%%  %s\n", id.c_str(),
                predicted, measured, 100 * err, r.algorithm.c_str());
    EXPECT_LT(std::abs(err), 0.10) << id << " predicted " << predicted << " via " << r.algorithm;
  }
  EXPECT_GE(seen, 5);
}

}  // namespace
}  // namespace cw
