// Pipeline-parallel serving replicas: pp micro-batch schedulers in lockstep,
// a round lasting max(the longest pass, the summed stage occupancy); the
// deployment's chips, memory and KV pool; what it refuses.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../support/user_error.hpp"
#include "serving/capacity_tuning.hpp"
#include "serving/serve.hpp"
#include "serving/simulator.hpp"

namespace cw {
namespace {

using test::error_of;
using test::has;

// Two requests of 4 prompt and 3 output tokens at t = 0, dealt one to each
// micro-batch scheduler of a 2-stage replica; every pass takes 10 ms and
// holds the bottleneck stage for `stage` seconds.
std::vector<RequestRecord> two_micro_batches(double stage) {
  ClusterConfig c;
  c.engine.max_batch = 4;
  c.engine.max_tokens = 64;
  c.engine.block_size = 4;
  c.engine.kv_blocks = 100;
  c.engine.pipeline_stages = 2;
  const std::vector<Request> reqs = {{0, 0.0, 4, 3, 1}, {1, 0.0, 4, 3, 1}};
  const StepCostFn step = [stage](const Batch&) { return StepCost{0.010, 0, stage}; };
  return simulate(reqs, c, step).records;
}

TEST(PipelineServing, ARoundIsTheLongestPassOrTheStagesOccupancy) {
  // Stages held 4 ms per micro-batch: two fit in one 10 ms pass, so each of
  // the three rounds (prefill, two decodes) takes 10 ms.
  for (const RequestRecord& r : two_micro_batches(0.004)) {
    EXPECT_NEAR(r.first_token, 0.010, 1e-12);
    EXPECT_NEAR(r.finish, 0.030, 1e-12);
  }
  // Held 7 ms each: the bottleneck stage serves both in 14 ms per round.
  for (const RequestRecord& r : two_micro_batches(0.007)) {
    EXPECT_NEAR(r.first_token, 0.014, 1e-12);
    EXPECT_NEAR(r.finish, 0.042, 1e-12);
  }
}

ServeOptions llama8b_on_two(int tp, int pp, double rate, int64_t max_batch) {
  ServeOptions o;
  o.chip = "h100-sxm";
  o.model = "llama3.1-8b";
  o.count = 2;
  o.tp = tp;
  o.pp = pp;
  o.dataset = "mlperf-llama2-70b";
  o.requests = rate > 0 ? 200 : 2000;
  if (rate > 0) o.arrivals = {ArrivalKind::poisson, rate};
  o.engine.max_batch = max_batch;
  return o;
}

TEST(PipelineServing, TwoStagesServeLikeOneChipPerTokenAndLikeTwoInThroughput) {
  // At low load one micro-batch runs at a time: its pass is one chip's
  // iteration plus a stage hand-off, so TPOT matches a tp-1 replica's, and
  // tensor parallelism over the same two chips is faster per token.
  const ServeResult pp2 = run_serve(llama8b_on_two(1, 2, 1, 256));
  const ServeResult tp1 = run_serve(llama8b_on_two(1, 1, 1, 256));
  const ServeResult tp2 = run_serve(llama8b_on_two(2, 1, 1, 256));
  EXPECT_NEAR(pp2.metrics.tpot.mean, tp1.metrics.tpot.mean, 0.02 * tp1.metrics.tpot.mean);
  EXPECT_GT(pp2.metrics.tpot.mean, tp2.metrics.tpot.mean);
  // Offline, with the two replicas' 512 running requests: both stages stay
  // busy, within 15% of two independent replicas (the hand-offs and the
  // micro-batches' imbalance cost the rest), never above them.
  const ServeResult pipe = run_serve(llama8b_on_two(1, 2, 0, 512));
  const ServeResult pair = run_serve(llama8b_on_two(1, 1, 0, 256));
  EXPECT_LT(pipe.metrics.output_tokens_per_s, pair.metrics.output_tokens_per_s);
  EXPECT_GT(pipe.metrics.output_tokens_per_s, 0.85 * pair.metrics.output_tokens_per_s);
}

TEST(PipelineServing, EachStageHoldsHalfTheWeightsAndTheKvOfItsLayers) {
  const ServeResult pp2 = run_serve(llama8b_on_two(1, 2, 1, 256));
  const ServeResult tp1 = run_serve(llama8b_on_two(1, 1, 1, 256));
  EXPECT_EQ(pp2.deployment.replicas, 1);
  EXPECT_EQ(pp2.deployment.pp, 2);
  EXPECT_NEAR(pp2.deployment.memory.weights, tp1.deployment.memory.weights / 2, 1e6);
  // One replica's pool on two chips holds over twice a one-chip replica's:
  // each chip keeps half of every token's KV and has the room half the
  // weights left (80 GB less 4.5 instead of 9 GB).
  const double ratio = static_cast<double>(pp2.deployment.cluster.engine.kv_blocks) /
                       static_cast<double>(tp1.deployment.cluster.engine.kv_blocks);
  EXPECT_GT(ratio, 2.0);
  EXPECT_LT(ratio, 2.2);
  EXPECT_EQ(pp2.deployment.cluster.engine.pipeline_stages, 2);
  EXPECT_TRUE(has(pp2.deployment.describe(), "tp 1 pp 2 (2 chips)")) << pp2.deployment.describe();
  EXPECT_EQ(to_json(pp2)["config"]["pp"], 2);
}

TEST(PipelineServing, ImpossiblePlansAreRefusedWithAFix) {
  ServeOptions o = llama8b_on_two(1, 2, 1, 256);
  o.count = 3;
  std::string e = error_of([&] { run_serve(o); });
  EXPECT_TRUE(has(e, "pp 2")) << e;
  EXPECT_TRUE(has(e, "multiple of 2")) << e;
  o = llama8b_on_two(2, 2, 1, 256);
  o.count = 4;
  o.model = "mixtral-8x7b";
  o.ep = 2;
  o.attention_dp = true;
  e = error_of([&] { run_serve(o); });
  EXPECT_TRUE(has(e, "--attention-dp")) << e;
  o = llama8b_on_two(1, 2, 1, 256);
  o.slo.tpot = 0.05;
  e = error_of([&] { tune_capacity(o, std::nullopt); });
  EXPECT_TRUE(has(e, "drop --pp")) << e;
  o.split = PoolSplit{1, 1, 1, 1};
  e = error_of([&] { run_serve(o); });
  EXPECT_TRUE(has(e, "--disaggregate")) << e;
}

}  // namespace
}  // namespace cw
