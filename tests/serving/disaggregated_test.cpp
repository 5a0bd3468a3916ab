// Disaggregated prefill and decode pools with injected step and transfer
// times: hand-computed timestamps, the KV link queue, decode replicas that
// must free blocks before a transfer starts, conservation of requests,
// transfers and tokens, and determinism; the KV transfer cost against the
// link formula; pool splits that do not fit.
#include "serving/disaggregated.hpp"

#include <gtest/gtest.h>

#include "../support/user_error.hpp"

#include "hardware/chip_loader.hpp"
#include "hardware/system_loader.hpp"
#include "serving/arrivals.hpp"
#include "serving/disaggregated_deployment.hpp"
#include "serving/kv_transfer.hpp"
#include "serving/metrics.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/model_stats.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

using cw::test::error_of;
using cw::test::has;

constexpr double ms = 1e-3;

ClusterConfig pool(int replicas, int64_t max_tokens, int64_t blocks) {
  ClusterConfig c;
  c.replicas = replicas;
  c.engine.max_batch = 8;
  c.engine.max_tokens = max_tokens;
  c.engine.block_size = 4;
  c.engine.kv_blocks = blocks;
  c.engine.watermark = 0;
  return c;
}

// Prefill iterations take 10 ms, decode iterations 5 ms, a transfer 2 ms.
// Counts the tokens emitted: one per last prompt chunk, one per decode.
struct Steps {
  int64_t tokens = 0, prefill_iterations = 0, decode_iterations = 0;
  int64_t emitted(const Batch& b) const {
    int64_t n = b.decode_sequences();
    for (const PrefillChunk& c : b.prefill) n += c.last_chunk ? c.sequences : 0;
    return n;
  }
  StepCostFn prefill() {
    return [this](const Batch& b) {
      ++prefill_iterations;
      tokens += emitted(b);
      return StepCost{10 * ms, 0};
    };
  }
  StepCostFn decode() {
    return [this](const Batch& b) {
      ++decode_iterations;
      tokens += emitted(b);
      return StepCost{5 * ms, 0};
    };
  }
};
const KvTransferFn kTwoMs = [](int64_t, int, int) { return 2 * ms; };

TEST(Disaggregated, HandComputedTimestamps) {
  // A: input 6, output 3; B: input 4, output 2; both at t = 0. One prefill
  // replica (8 tokens per iteration), one decode replica.
  //  prefill [0, 10]:  A 6 tokens + B's first 2 -> A's first token at 10
  //  transfer A [10, 12]; decode [12, 17] A token 2; [17, 22] A token 3: done
  //  prefill [10, 20]: B's last 2 tokens         -> B's first token at 20
  //  transfer B [20, 22] (the link is free); decode [22, 27] B token 2: done
  std::vector<Request> reqs = {{0, 0.0, 6, 3, 1}, {1, 0.0, 4, 2, 1}};
  Steps steps;
  SimulationResult r = simulate_disaggregated(reqs, {pool(1, 8, 100), pool(1, 8, 100)},
                                              steps.prefill(), steps.decode(), kTwoMs);
  const RequestRecord& a = r.records[0];
  const RequestRecord& b = r.records[1];
  EXPECT_NEAR(a.ttft(), 10 * ms, 1e-12);
  EXPECT_NEAR(a.transfer_start, 10 * ms, 1e-12);
  EXPECT_NEAR(a.transfer_end, 12 * ms, 1e-12);
  EXPECT_NEAR(a.finish, 22 * ms, 1e-12);
  EXPECT_NEAR(a.tpot(), 6 * ms, 1e-12);  // (22 − 10) / 2
  EXPECT_NEAR(b.ttft(), 20 * ms, 1e-12);
  EXPECT_NEAR(b.transfer_start, 20 * ms, 1e-12);
  EXPECT_NEAR(b.transfer_end, 22 * ms, 1e-12);
  EXPECT_NEAR(b.e2e(), 27 * ms, 1e-12);
  EXPECT_EQ(a.replica, 0);
  EXPECT_EQ(a.decode_replica, 1);  // decode replicas follow the prefill pool
  EXPECT_NEAR(r.makespan, 27 * ms, 1e-12);
  EXPECT_EQ(steps.prefill_iterations, 2);
  EXPECT_EQ(steps.decode_iterations, 3);
  EXPECT_EQ(r.prefill_replicas, 1);
  ASSERT_EQ(r.replicas.size(), 2u);
  const ServingMetrics m = summarize(r);
  EXPECT_EQ(m.kv_transfers, 2);
  EXPECT_NEAR(m.kv_transfer.mean, 2 * ms, 1e-12);
  EXPECT_NEAR(m.kv_wait.max, 0, 1e-12);
  EXPECT_NEAR(m.prefill_utilisation, 20.0 / 27, 1e-9);
  EXPECT_NEAR(m.decode_utilisation, 15.0 / 27, 1e-9);
}

TEST(Disaggregated, TransfersQueueOnTheLink) {
  // Two 4-token prompts prefilled together at [0, 10]: one link, so the
  // second transfer waits for the first: [10, 12] and [12, 14].
  //  decode [12, 17] C token 2 (D lands at 14, mid-iteration); [17, 22] D token 2
  std::vector<Request> reqs = {{0, 0.0, 4, 2, 1}, {1, 0.0, 4, 2, 1}};
  Steps steps;
  SimulationResult r = simulate_disaggregated(reqs, {pool(1, 8, 100), pool(1, 8, 100)},
                                              steps.prefill(), steps.decode(), kTwoMs);
  EXPECT_NEAR(r.records[0].transfer_start, 10 * ms, 1e-12);
  EXPECT_NEAR(r.records[1].transfer_start, 12 * ms, 1e-12);
  EXPECT_NEAR(r.records[1].transfer_end, 14 * ms, 1e-12);
  EXPECT_NEAR(r.records[0].finish, 17 * ms, 1e-12);
  EXPECT_NEAR(r.records[1].finish, 22 * ms, 1e-12);
  EXPECT_NEAR(summarize(r).kv_wait.max, 2 * ms, 1e-12);
}

TEST(Disaggregated, DecodeReplicaMustHaveBlocksBeforeTheTransfer) {
  // As HandComputedTimestamps, but the decode replica holds 2 blocks of 4
  // tokens: A's prompt takes both (and its 8 stored tokens fit), so B's KV
  // can only move once A finishes at 22: transfer [22, 24], decode [24, 29].
  std::vector<Request> reqs = {{0, 0.0, 6, 3, 1}, {1, 0.0, 4, 2, 1}};
  Steps steps;
  SimulationResult r = simulate_disaggregated(reqs, {pool(1, 8, 100), pool(1, 8, 2)},
                                              steps.prefill(), steps.decode(), kTwoMs);
  EXPECT_NEAR(r.records[0].finish, 22 * ms, 1e-12);
  EXPECT_NEAR(r.records[1].first_token, 20 * ms, 1e-12);
  EXPECT_NEAR(r.records[1].transfer_start, 22 * ms, 1e-12);
  EXPECT_NEAR(r.records[1].finish, 29 * ms, 1e-12);
}

TEST(Disaggregated, PrefillReplicaWaitsForItsBlocksToBeReleased) {
  // The prefill replica holds 1 block (4 tokens): B cannot be admitted until
  // A's KV has left at 12 ms. prefill [0, 10] A; [12, 22] B; transfer B [22, 24].
  std::vector<Request> reqs = {{0, 0.0, 4, 2, 1}, {1, 0.0, 4, 2, 1}};
  Steps steps;
  SimulationResult r = simulate_disaggregated(reqs, {pool(1, 8, 1), pool(1, 8, 100)},
                                              steps.prefill(), steps.decode(), kTwoMs);
  EXPECT_NEAR(r.records[0].transfer_end, 12 * ms, 1e-12);
  EXPECT_NEAR(r.records[1].first_token, 22 * ms, 1e-12);
  EXPECT_NEAR(r.records[1].transfer_end, 24 * ms, 1e-12);
  EXPECT_NEAR(r.records[1].finish, 29 * ms, 1e-12);
}

std::vector<Request> poisson_requests(int64_t n, uint64_t seed) {
  ArrivalProcess a;
  a.kind = ArrivalKind::poisson;
  a.rate = 40;
  std::vector<double> t = arrival_times(a, n, seed);
  Rng rng(seed + 1);
  std::vector<Request> reqs;
  for (int64_t i = 0; i < n; ++i) {
    const auto input = static_cast<int64_t>(1 + rng.uniform() * 60);
    const auto output = static_cast<int64_t>(1 + rng.uniform() * 40);
    reqs.push_back({i, t[static_cast<size_t>(i)], input, output, 1});
  }
  return reqs;
}

TEST(Disaggregated, ConservesRequestsTransfersAndTokens) {
  // Tight KV on both pools (waits, decode preemptions), two replicas each.
  const std::vector<Request> reqs = poisson_requests(400, 5);
  Steps steps;
  DisaggregatedCluster c{pool(2, 32, 40), pool(3, 16, 30)};
  c.decode.router = RouterPolicy::least_loaded;
  SimulationResult r = simulate_disaggregated(reqs, c, steps.prefill(), steps.decode(), kTwoMs);
  int64_t output = 0, transferred = 0, single = 0;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const RequestRecord& q = r.records[i];
    output += reqs[i].output;
    EXPECT_EQ(q.id, reqs[i].id);
    EXPECT_GE(q.first_token, q.arrival);
    EXPECT_GE(q.finish, q.first_token);
    EXPECT_LT(q.replica, 2);
    if (reqs[i].output == 1) {
      ++single;
      EXPECT_EQ(q.decode_replica, -1);  // finished on its prefill replica
      EXPECT_EQ(q.finish, q.first_token);
      continue;
    }
    ++transferred;
    EXPECT_GE(q.decode_replica, 2);
    EXPECT_LT(q.decode_replica, 5);
    EXPECT_GE(q.transfer_start, q.first_token);
    EXPECT_NEAR(q.transfer_end - q.transfer_start, 2 * ms, 1e-12);
    EXPECT_GE(q.finish, q.transfer_end + 5 * ms - 1e-12);  // at least one decode iteration
  }
  EXPECT_GT(single, 0);
  const ServingMetrics m = summarize(r);
  EXPECT_EQ(m.kv_transfers, transferred);
  EXPECT_EQ(m.output_tokens, output);
  EXPECT_GT(r.preemptions, 0);  // the decode pool ran out of blocks
  // Every token emitted once, recomputed prompts included (a recompute's
  // last chunk emits the next token, as in a colocated replica).
  EXPECT_EQ(steps.tokens, output);
  EXPECT_GT(m.kv_wait.max, 0);
}

TEST(Disaggregated, SameSeedSameRunOtherSeedOtherRun) {
  auto run = [](uint64_t seed) {
    Steps steps;
    return simulate_disaggregated(poisson_requests(200, seed), {pool(2, 32, 40), pool(2, 16, 30)},
                                  steps.prefill(), steps.decode(), kTwoMs);
  };
  const SimulationResult a = run(11), b = run(11), c = run(12);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].finish, b.records[i].finish);
    EXPECT_EQ(a.records[i].transfer_start, b.records[i].transfer_start);
    EXPECT_EQ(a.records[i].decode_replica, b.records[i].decode_replica);
  }
  EXPECT_NE(a.makespan, c.makespan);
}

TEST(KvTransfer, TimeIsBytesOverTheLinkPlusLatency) {
  // Llama-2-70B at fp8 on two HGX H100 boards (16 chips): prefill replica 0
  // on chips 0-3, decode replicas on 4-7 (same NVLink domain) and 8-11 (over
  // the NICs). Tp 4 both sides: each chip pair moves a quarter of the KV.
  const ChipSpec chip = load_chip("h100-sxm");
  const ModelSpec model = load_model("llama2-70b");
  const Precision prec = load_precision("fp8");
  const SystemSpec sys = standard_system(chip, 16);
  const KvTransferModel kv = make_kv_transfer(sys, model, prec, 1, 4, 4);
  // 80 layers x (K + V) x 8 KV heads x 128 dims x 1 byte (fp8 KV cache).
  EXPECT_DOUBLE_EQ(kv.bytes_per_token, 80.0 * 2 * 8 * 128 * 1);
  const double bytes = 1000 * kv.bytes_per_token / 4;
  EXPECT_TRUE(kv.same_domain(0, 0));
  EXPECT_FALSE(kv.same_domain(0, 1));
  const double launch = chip.efficiency.kernel_launch;
  const double nvlink = sys.scale_up.links * sys.link_bandwidth() * sys.scale_up.efficiency;
  EXPECT_NEAR(kv.time(1000, 0, 0), bytes / nvlink + sys.scale_up.latency + launch, 1e-12);
  const double nic = sys.scale_out.bandwidth * sys.scale_out.efficiency;
  EXPECT_NEAR(kv.time(1000, 0, 1), bytes / nic + sys.scale_out.latency + launch, 1e-12);
  EXPECT_GT(kv.time(1000, 0, 1), 5 * kv.time(1000, 0, 0));  // NDR is far slower than NVLink
  // tp 2 -> tp 2 moves twice the bytes per chip of tp 4 -> tp 4.
  const KvTransferModel narrow = make_kv_transfer(sys, model, prec, 1, 2, 2);
  EXPECT_NEAR(narrow.time(1000, 0, 0) - sys.scale_up.latency - launch, 2 * bytes / nvlink, 1e-12);
  // tp 2 -> tp 4: each decode chip receives a quarter, but each prefill chip
  // sends half (two decode chips' shards): no faster than tp 2 -> tp 2.
  const KvTransferModel wide = make_kv_transfer(sys, model, prec, 1, 2, 4);
  EXPECT_TRUE(wide.same_domain(0, 0));  // chips 0-1 and 2-5
  EXPECT_NEAR(wide.time(1000, 0, 0), narrow.time(1000, 0, 0), 1e-12);
}

TEST(KvTransfer, SlidingWindowLayersSendOnlyTheLastWindow) {
  // gpt-oss-120b, bf16 KV, tp 1 -> tp 1 in one HGX H100: 18 full layers send
  // every prompt token, the 18 windowed ones the last 128 of them.
  const ChipSpec chip = load_chip("h100-sxm");
  const ModelSpec model = load_model("gpt-oss-120b");
  const Precision prec = load_precision("mxfp4-w4a16");
  const SystemSpec sys = standard_system(chip, 8);
  const KvTransferModel kv = make_kv_transfer(sys, model, prec, 1, 1, 1);
  const double layer = 2.0 * 8 * 64 * 2;  // K and V of 8 heads of 64, bf16
  EXPECT_DOUBLE_EQ(kv.bytes_per_token, 18 * layer);
  const double launch = chip.efficiency.kernel_launch;
  const double nvlink = sys.scale_up.links * sys.link_bandwidth() * sys.scale_up.efficiency;
  EXPECT_NEAR(kv.time(1000, 0, 0),
              (1000 * 18 + 128 * 18) * layer / nvlink + sys.scale_up.latency + launch, 1e-12);
  EXPECT_NEAR(kv.time(100, 0, 0), 100 * 36 * layer / nvlink + sys.scale_up.latency + launch, 1e-12);
}

TEST(KvTransfer, PoolSplitMustFitTheCount) {
  const ChipSpec chip = load_chip("h100-sxm");
  const ModelSpec model = load_model("llama3.1-8b");
  const Precision prec = load_precision("fp8");
  EngineConfig e;
  const std::string msg = error_of([&] {
    make_disaggregated(chip, model, prec, 8, PoolSplit{2, 2, 3, 2}, e, RouterPolicy::round_robin,
                       1024, 2048);
  });
  EXPECT_TRUE(has(msg, "= 10 chips, more than --count 8")) << msg;
  EXPECT_TRUE(has(msg, "--prefill-replicas")) << msg;
  // A pool whose replicas cannot hold the model names its own flag.
  const std::string fit = error_of([&] {
    make_disaggregated(chip, load_model("llama2-70b"), load_precision("bf16"), 8,
                       PoolSplit{1, 1, 1, 4}, e, RouterPolicy::round_robin, 1024, 2048);
  });
  EXPECT_TRUE(has(fit, "prefill pool (--prefill-tp 1)")) << fit;
}

}  // namespace
}  // namespace cw
