// The discrete-event serving simulator with injected step times: a scenario
// whose timestamps are computed by hand, chunked prefill, conservation of
// requests and tokens, preemption (recompute and swap), rejection of
// impossible requests, routing, and Little's law on a steady Poisson run.
#include "serving/simulator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "config/error.hpp"
#include "serving/arrivals.hpp"
#include "serving/metrics.hpp"

namespace cw {
namespace {

ClusterConfig one_replica(int64_t max_batch, int64_t max_tokens, int64_t blocks) {
  ClusterConfig c;
  c.engine.max_batch = max_batch;
  c.engine.max_tokens = max_tokens;
  c.engine.block_size = 4;
  c.engine.kv_blocks = blocks;
  c.engine.watermark = 0;
  return c;
}

// Every iteration takes 10 ms; the batches seen are recorded.
struct ConstantStep {
  std::vector<Batch> seen;
  StepCostFn fn() {
    return [this](const Batch& b) {
      seen.push_back(b);
      return StepCost{0.010, 0};
    };
  }
};

TEST(ServingSimulator, HandComputedTimestamps) {
  // One replica, max batch 2, 8 tokens per iteration, decode-first, 10 ms steps.
  // A: t=0, 6-token prompt, 3 output tokens. B and C: t=15 ms, prompts 4 and 2,
  // 2 output tokens each.
  //  iter 1 [0, 10]:  A prefill 6 tokens          -> A token 1 at 10 ms (TTFT 10 ms)
  //  iter 2 [10, 20]: A decode (B, C not yet here) -> A token 2
  //  iter 3 [20, 30]: A decode + B prefill 4       -> A token 3: done at 30 ms;
  //                   (C waits: the batch holds 2)    B token 1 at 30 ms (TTFT 15 ms)
  //  iter 4 [30, 40]: B decode + C prefill 2       -> B done at 40 ms; C token 1 at 40
  //  iter 5 [40, 50]: C decode                     -> C done at 50 ms
  std::vector<Request> reqs = {{0, 0.0, 6, 3, 1}, {1, 0.015, 4, 2, 1}, {2, 0.015, 2, 2, 1}};
  ConstantStep step;
  SimulationResult r = simulate(reqs, one_replica(2, 8, 100), step.fn());
  ASSERT_EQ(r.records.size(), 3u);
  const auto& a = r.records[0];
  const auto& b = r.records[1];
  const auto& c = r.records[2];
  EXPECT_NEAR(a.first_token, 0.010, 1e-12);
  EXPECT_NEAR(a.finish, 0.030, 1e-12);
  EXPECT_NEAR(a.tpot(), 0.010, 1e-12);  // (30 − 10) / (3 − 1)
  EXPECT_NEAR(b.first_token, 0.030, 1e-12);
  EXPECT_NEAR(b.ttft(), 0.015, 1e-12);
  EXPECT_NEAR(b.finish, 0.040, 1e-12);
  EXPECT_NEAR(c.first_token, 0.040, 1e-12);
  EXPECT_NEAR(c.ttft(), 0.025, 1e-12);
  EXPECT_NEAR(c.finish, 0.050, 1e-12);
  EXPECT_NEAR(r.makespan, 0.050, 1e-12);
  EXPECT_EQ(r.iterations, 5);
  // The batches: contexts include the token being decoded (A after iter 1
  // stores 6 prompt tokens + token 1 -> attends 7 in iter 2).
  ASSERT_EQ(step.seen.size(), 5u);
  ASSERT_EQ(step.seen[0].prefill.size(), 1u);
  EXPECT_EQ(step.seen[0].prefill[0].new_tokens, 6);
  EXPECT_TRUE(step.seen[0].decode.empty());
  ASSERT_EQ(step.seen[1].decode.size(), 1u);
  EXPECT_EQ(step.seen[1].decode[0].sequences, 1);
  EXPECT_EQ(step.seen[1].decode[0].context, 7);
  EXPECT_EQ(step.seen[2].decode[0].context, 8);
  ASSERT_EQ(step.seen[2].prefill.size(), 1u);
  EXPECT_EQ(step.seen[2].prefill[0].new_tokens, 4);
  EXPECT_EQ(step.seen[3].decode[0].context, 5);  // B: 4 + 1
  EXPECT_EQ(step.seen[3].prefill[0].new_tokens, 2);
  EXPECT_EQ(step.seen[4].decode[0].context, 3);  // C: 2 + 1
}

TEST(ServingSimulator, ChunkedPrefillSplitsLongPrompts) {
  // A 10-token prompt with 4 tokens per iteration: chunks 4, 4, 2 attending
  // 4, 8, 10 tokens; only the last emits the first token (at 30 ms).
  std::vector<Request> reqs = {{0, 0.0, 10, 2, 1}};
  ConstantStep step;
  SimulationResult r = simulate(reqs, one_replica(4, 4, 100), step.fn());
  ASSERT_EQ(step.seen.size(), 4u);
  EXPECT_EQ(step.seen[0].prefill[0].context, 4);
  EXPECT_FALSE(step.seen[0].prefill[0].last_chunk);
  EXPECT_EQ(step.seen[1].prefill[0].context, 8);
  EXPECT_EQ(step.seen[2].prefill[0].new_tokens, 2);
  EXPECT_TRUE(step.seen[2].prefill[0].last_chunk);
  EXPECT_NEAR(r.records[0].first_token, 0.030, 1e-12);
  EXPECT_NEAR(r.records[0].finish, 0.040, 1e-12);
}

// Attention DP: the replica is two rank schedulers in lockstep. Two 10-token
// prompts are dealt one to each rank; each rank's budget is 8 / 2 = 4
// tokens, so both prefill 4 + 4 + 2 side by side, and the step is costed on
// one rank's batch with the group's 8 (then 4) routed tokens.
TEST(ServingSimulator, AttentionDpRanksScheduleTheirOwnRequests) {
  std::vector<Request> reqs = {{0, 0.0, 10, 1, 1}, {1, 0.0, 10, 1, 1}};
  ClusterConfig c = one_replica(4, 8, 100);
  c.engine.attention_ranks = 2;
  ConstantStep step;
  SimulationResult r = simulate(reqs, c, step.fn());
  ASSERT_EQ(step.seen.size(), 3u);
  const int64_t chunk[] = {4, 4, 2};
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(step.seen[i].prefill.size(), 1u) << i;
    EXPECT_EQ(step.seen[i].prefill[0].new_tokens, chunk[i]) << i;
    EXPECT_EQ(step.seen[i].group_tokens, 2 * chunk[i]) << i;
  }
  for (const auto& rec : r.records) EXPECT_NEAR(rec.first_token, 0.030, 1e-12);
  // One scheduler over the same budget runs the first prompt whole first.
  ConstantStep whole;
  simulate(reqs, one_replica(4, 8, 100), whole.fn());
  ASSERT_EQ(whole.seen[0].prefill.size(), 1u);
  EXPECT_EQ(whole.seen[0].prefill[0].new_tokens, 8);
  EXPECT_EQ(whole.seen[0].group_tokens, 0);
}

// Each rank's KV pool is its own: a request that fits the replica's blocks
// but not one rank's share is refused, naming the rank.
TEST(ServingSimulator, AttentionDpRequestsMustFitOneRanksPool) {
  ClusterConfig c = one_replica(4, 8, 6);  // 3 blocks of 4 tokens per rank
  c.engine.attention_ranks = 2;
  ConstantStep step;
  std::vector<Request> fits = {{0, 0.0, 8, 5, 1}};  // 12 tokens stored at most: 3 blocks
  EXPECT_NO_THROW(simulate(fits, c, step.fn()));
  std::vector<Request> big = {{0, 0.0, 16, 1, 1}};  // 4 blocks
  try {
    simulate(big, c, step.fn());
    FAIL() << "a request larger than a rank's pool ran";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("attention-DP rank holds only 3 blocks"),
              std::string::npos)
        << e.what();
  }
}

// Requests are dealt to the ranks round-robin and never move: each rank
// decodes its own, the busiest (by KV read) sets the step.
TEST(ServingSimulator, AttentionDpRanksDecodeTheirOwnSequences) {
  // Three requests over two ranks: rank 0 holds two, rank 1 one.
  std::vector<Request> reqs = {{0, 0.0, 4, 3, 1}, {1, 0.0, 4, 3, 1}, {2, 0.0, 4, 3, 1}};
  ClusterConfig c = one_replica(4, 16, 100);
  c.engine.attention_ranks = 2;
  ConstantStep step;
  SimulationResult r = simulate(reqs, c, step.fn());
  // Iteration 1: rank 0 prefills 8 tokens (two prompts), rank 1 four; the
  // rank with the most tokens is costed. Then two decode steps of 2 + 1.
  ASSERT_EQ(step.seen.size(), 3u);
  EXPECT_EQ(step.seen[0].new_tokens(), 8);
  EXPECT_EQ(step.seen[0].group_tokens, 12);
  for (int i = 1; i < 3; ++i) {
    ASSERT_EQ(step.seen[i].decode.size(), 1u);
    EXPECT_EQ(step.seen[i].decode[0].sequences, 2) << i;
    EXPECT_EQ(step.seen[i].group_tokens, 3) << i;
  }
  EXPECT_EQ(r.iterations, 3);
  for (const auto& rec : r.records) EXPECT_NEAR(rec.finish, 0.030, 1e-12);
}

// Token accounting through the step-time function: every output token is
// either a decode or the end of a prompt.
struct TokenCounter {
  int64_t emitted = 0, prefill_tokens = 0;
  StepCostFn fn(double per_token) {
    return [this, per_token](const Batch& b) {
      for (const auto& p : b.prefill) {
        prefill_tokens += p.sequences * p.new_tokens;
        emitted += p.last_chunk ? p.sequences : 0;
      }
      for (const auto& d : b.decode) emitted += d.sequences;
      return StepCost{0.002 + per_token * static_cast<double>(b.new_tokens()), 0};
    };
  }
};

std::vector<Request> random_requests(int n, double rate, uint64_t seed) {
  Rng rng(seed);
  auto times = arrival_times({ArrivalKind::poisson, rate, 1}, n, seed + 1);
  std::vector<Request> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({i, times[static_cast<size_t>(i)], 1 + static_cast<int64_t>(rng.index(300)),
                   1 + static_cast<int64_t>(rng.index(200)), 1});
  }
  return out;
}

TEST(ServingSimulator, ConservesRequestsAndTokens) {
  auto reqs = random_requests(3000, 40, 11);
  ClusterConfig c = one_replica(64, 512, 100000);
  c.replicas = 3;
  c.router = RouterPolicy::least_loaded;
  TokenCounter count;
  SimulationResult r = simulate(reqs, c, count.fn(2e-5));
  int64_t in = 0, out = 0;
  std::set<int64_t> ids;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const RequestRecord& rec = r.records[i];
    ids.insert(rec.id);
    EXPECT_EQ(rec.id, reqs[i].id);
    EXPECT_GE(rec.first_token, rec.arrival);
    EXPECT_GE(rec.finish, rec.first_token);
    in += reqs[i].input;
    out += reqs[i].output;
  }
  EXPECT_EQ(ids.size(), reqs.size());
  EXPECT_EQ(r.preemptions, 0);
  EXPECT_EQ(count.emitted, out);        // each output token produced exactly once
  EXPECT_EQ(count.prefill_tokens, in);  // each prompt token prefilled exactly once
  ServingMetrics m = summarize(r);
  EXPECT_EQ(m.output_tokens, out);
  EXPECT_EQ(m.requests, 3000);
}

TEST(ServingSimulator, PreemptsByRecomputeWhenBlocksRunOut) {
  // 12 blocks of 4 tokens. Four requests (8-token prompts, 8 outputs; each
  // needs ceil(15/4) = 4 blocks at its largest) are admitted with 2 prompt
  // blocks each, then grow: not all fit, so the latest admitted are preempted
  // and later re-prefilled with their generated tokens.
  std::vector<Request> reqs;
  for (int i = 0; i < 4; ++i) reqs.push_back({i, 0.0, 8, 8, 1});
  TokenCounter count;
  SimulationResult r = simulate(reqs, one_replica(8, 64, 12), count.fn(1e-4));
  EXPECT_GT(r.preemptions, 0);
  int preempted = 0;
  for (const auto& rec : r.records) preempted += rec.preemptions;
  EXPECT_EQ(preempted, r.preemptions);
  EXPECT_EQ(count.emitted, 4 * 8);         // outputs are still produced exactly once
  EXPECT_GT(count.prefill_tokens, 4 * 8);  // recompute re-prefills
  EXPECT_LE(r.replicas[0].kv_occupancy_peak, 1.0);
}

TEST(ServingSimulator, PreemptsBySwapWithoutRecompute) {
  std::vector<Request> reqs;
  for (int i = 0; i < 4; ++i) reqs.push_back({i, 0.0, 8, 8, 1});
  ClusterConfig c = one_replica(8, 64, 12);
  c.engine.preemption = Preemption::swap;
  c.engine.kv_bytes_per_token = 1e6;
  c.engine.swap_bandwidth = 1e9;  // 16 tokens per block-pair: 16 ms per 4 blocks
  TokenCounter count;
  SimulationResult r = simulate(reqs, c, count.fn(1e-4));
  EXPECT_GT(r.preemptions, 0);
  EXPECT_EQ(count.emitted, 4 * 8);
  EXPECT_EQ(count.prefill_tokens, 4 * 8);  // swapped KV comes back: no re-prefill
}

TEST(ServingSimulator, RejectsRequestLargerThanTheKvCache) {
  std::vector<Request> reqs = {{7, 0.0, 30, 30, 1}};  // needs ceil(59/4) = 15 blocks
  ConstantStep step;
  try {
    simulate(reqs, one_replica(4, 64, 10), step.fn());
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("request 7"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("needs 15 KV blocks"), std::string::npos) << e.what();
  }
}

TEST(ServingSimulator, BeamSearchDecodesEveryBeamAndSharesThePrompt) {
  // Width 4, 8-token prompt, 3 tokens, blocks of 4: after the prefill each
  // decode step runs 4 sequences attending 9 then 10 tokens. At its largest
  // (10 tokens stored) the request holds the prompt's 2 shared blocks plus one
  // block per beam = 6, so a 5-block replica rejects it and a 6-block one runs it.
  std::vector<Request> reqs = {{0, 0.0, 8, 3, 4}};
  ConstantStep step;
  SimulationResult r = simulate(reqs, one_replica(4, 64, 6), step.fn());
  ASSERT_EQ(step.seen.size(), 3u);
  EXPECT_EQ(step.seen[1].decode[0].sequences, 4);
  EXPECT_EQ(step.seen[1].decode[0].context, 9);
  EXPECT_EQ(step.seen[2].decode[0].context, 10);
  EXPECT_NEAR(r.records[0].finish, 0.030, 1e-12);
  EXPECT_EQ(r.preemptions, 0);
  EXPECT_THROW(simulate(reqs, one_replica(4, 64, 5), step.fn()), UserError);
}

TEST(ServingSimulator, RejectsLongPromptWithoutChunking) {
  std::vector<Request> reqs = {{0, 0.0, 100, 2, 1}};
  ClusterConfig c = one_replica(4, 64, 1000);
  c.engine.chunked_prefill = false;
  ConstantStep step;
  EXPECT_THROW(simulate(reqs, c, step.fn()), UserError);
}

TEST(ServingSimulator, RoundRobinAssignsInArrivalOrder) {
  auto reqs = random_requests(30, 5, 3);
  ClusterConfig c = one_replica(8, 256, 1000);
  c.replicas = 3;
  ConstantStep step;
  SimulationResult r = simulate(reqs, c, step.fn());
  for (size_t i = 0; i < reqs.size(); ++i) EXPECT_EQ(r.records[i].replica, static_cast<int>(i % 3));
}

TEST(ServingSimulator, PrefillFirstTradesTpotForTtft) {
  auto reqs = random_requests(2000, 60, 5);
  ClusterConfig c = one_replica(128, 256, 100000);
  TokenCounter a, b;
  ServingMetrics decode_first = summarize(simulate(reqs, c, a.fn(5e-5)));
  c.engine.policy = SchedulePolicy::prefill_first;
  ServingMetrics prefill_first = summarize(simulate(reqs, c, b.fn(5e-5)));
  EXPECT_LT(prefill_first.ttft.mean, decode_first.ttft.mean);
  EXPECT_GT(prefill_first.tpot.p99, decode_first.tpot.p99);
}

TEST(ServingSimulator, LittlesLawOnSteadyPoissonRun) {
  // L (time-averaged requests in the replica, from its own queues) = λ·W
  // (arrival rate × mean time in system, from the request records).
  auto reqs = random_requests(20000, 10, 17);
  ClusterConfig c = one_replica(256, 1024, 1000000);
  double area = 0;  // ∫ outstanding dt, sampled at iteration starts
  SimulationOptions opts;
  opts.observer = [&](const IterationInfo& it, int64_t outstanding) {
    area += static_cast<double>(outstanding) * (it.end - it.start);
  };
  TokenCounter count;
  SimulationResult r = simulate(reqs, c, count.fn(3e-5), opts);
  ServingMetrics m = summarize(r);
  EXPECT_GT(m.utilisation, 0.3);  // a loaded, not idle, system...
  EXPECT_LT(m.ttft.p99, 0.1);     // ...whose queue does not grow (steady state)
  const double L = area / r.makespan;
  const double lambda = static_cast<double>(reqs.size()) / r.makespan;
  EXPECT_NEAR(L / (lambda * m.e2e.mean), 1.0, 0.03) << "L " << L << " λW " << lambda * m.e2e.mean;
}

TEST(ServingSimulator, StopsEarlyWhenTheP99CannotBeMet) {
  // Far more load than one replica serves: the TTFT limit is missed by more
  // than 1% of requests long before the end, and the run stops.
  auto reqs = random_requests(5000, 2000, 9);
  ClusterConfig c = one_replica(32, 256, 100000);
  SimulationOptions opts;
  opts.abort_ttft = 0.5;
  TokenCounter count;
  SimulationResult r = simulate(reqs, c, count.fn(1e-4), opts);
  EXPECT_TRUE(r.aborted);
  int64_t unfinished = 0;
  for (const auto& rec : r.records) unfinished += rec.finish == 0 ? 1 : 0;
  EXPECT_GT(unfinished, 0);
}

TEST(ServingMetrics, PercentileFollowsLoadGen) {
  // p99 = sorted[floor(n·0.99)]: for 1..200 that is element 198 -> 199.
  std::vector<double> v;
  for (int i = 200; i >= 1; --i) v.push_back(i);
  EXPECT_EQ(percentile(v, 0.99), 199);
  EXPECT_EQ(percentile(v, 0.5), 101);
  Percentiles p = summarize_values({3, 1, 2});
  EXPECT_DOUBLE_EQ(p.mean, 2);
  EXPECT_EQ(p.max, 3);
}

}  // namespace
}  // namespace cw
