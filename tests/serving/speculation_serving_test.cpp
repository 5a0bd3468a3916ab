// Speculative decoding in the serving simulator: each decode emits a drawn
// number of tokens (accepted drafts + 1), the KV blocks hold the drafts, and
// the draws are reproducible.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "../support/user_error.hpp"
#include "serving/mlperf_benchmarks.hpp"
#include "serving/mlperf_search.hpp"
#include "serving/serve.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/model_stats.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

using test::error_of;
using test::has;

// One request of 512 prompt and 1,001 output tokens on an H100 pair.
ServeOptions lone_request(int k, double acceptance) {
  const std::string path = testing::TempDir() + "speculation-one.csv";
  std::ofstream(path) << "input_length,output_length\n512,1001\n";
  ServeOptions o;
  o.chip = "h100-sxm";
  o.count = 2;
  o.tp = 2;
  o.model = "llama3.1-70b";
  o.trace = path;
  o.arrivals.kind = ArrivalKind::offline;
  o.speculative = k;
  o.acceptance = acceptance;
  return o;
}

TEST(SpeculativeServing, DecodeIterationsFollowTheExpectedTokensPerStep) {
  const ServeResult plain = run_serve(lone_request(0, -1));
  const ServeResult spec = run_serve(lone_request(3, 0.8));
  // Every output token is still produced, and no more.
  EXPECT_EQ(spec.metrics.output_tokens, 1001);
  EXPECT_EQ(plain.metrics.iterations, 1 + 1000);  // one prefill, then a token per iteration
  // 1,000 tokens at 2.952 per iteration on average: about 339 decode
  // iterations (one run of drawn acceptances: within 10%).
  const double decodes = static_cast<double>(spec.metrics.iterations - 1);
  EXPECT_NEAR(decodes, 1000 / 2.952, 34) << decodes;
  // Fewer, somewhat longer iterations: TPOT drops by well over half.
  EXPECT_LT(spec.metrics.tpot.mean, 0.5 * plain.metrics.tpot.mean);
  // Nothing accepted: every iteration pays for drafts and emits one token.
  const ServeResult none = run_serve(lone_request(3, 0.0));
  EXPECT_EQ(none.metrics.iterations, plain.metrics.iterations);
  EXPECT_GT(none.metrics.tpot.mean, plain.metrics.tpot.mean);
}

TEST(SpeculativeServing, DrawsAreReproducibleAndFollowTheSeed) {
  ServeOptions o = lone_request(4, 0.6);
  const ServeResult a = run_serve(o), b = run_serve(o);
  EXPECT_EQ(a.metrics.iterations, b.metrics.iterations);
  EXPECT_EQ(a.metrics.makespan, b.metrics.makespan);
  // Other seeds draw other acceptances; their mean stays near (1 - 0.6^5) / 0.4.
  double total = 0;
  bool differs = false;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    o.seed = seed;
    const ServeResult r = run_serve(o);
    differs = differs || r.metrics.iterations != a.metrics.iterations;
    total += 1000.0 / static_cast<double>(r.metrics.iterations - 1);
  }
  EXPECT_TRUE(differs);
  EXPECT_NEAR(total / 8, (1 - 0.07776) / 0.4, 0.1);
}

TEST(SpeculativeServing, DrafterTakesMemoryAndTheDeploymentSaysSo) {
  ServeOptions o = lone_request(3, 0.8);
  o.draft = "llama3.2-1b";
  const ServeResult spec = run_serve(o);
  const ServeResult plain = run_serve(lone_request(0, -1));
  // Llama-3.2-1B's weights in the fp8 recipe (0.75 GB: its tied embedding
  // stays 16-bit) over 2 chips, and its KV per token, leave fewer KV blocks.
  const double draft = weight_bytes(load_model("llama3.2-1b"), load_precision("fp8"));
  EXPECT_NEAR(spec.deployment.memory.weights - plain.deployment.memory.weights, draft / 2, 1e3);
  EXPECT_LT(spec.deployment.cluster.engine.kv_blocks, plain.deployment.cluster.engine.kv_blocks);
  const nlohmann::json j = to_json(spec);
  EXPECT_EQ(j["config"]["speculation"]["drafter"], "llama3.2-1b");
  EXPECT_EQ(j["config"]["speculation"]["draft_tokens"], 3);
  EXPECT_TRUE(has(spec.deployment.describe(), "speculative decoding k=3"))
      << spec.deployment.describe();
  EXPECT_FALSE(to_json(plain)["config"].contains("speculation"));
}

TEST(SpeculativeServing, ADisaggregatedDecodePoolDraftsAndReceivesTheHeadsKv) {
  ServeOptions o;
  o.chip = "h100-sxm";
  o.count = 4;
  o.model = "llama3.1-70b";
  o.dataset = "mlperf-llama2-70b";
  o.requests = 200;
  o.arrivals = {ArrivalKind::poisson, 4};
  o.split = PoolSplit{1, 2, 1, 2};
  const ServeResult plain = run_serve(o);
  o.speculative = 3;
  o.acceptance = 0.8;
  const ServeResult spec = run_serve(o);
  ASSERT_TRUE(spec.disaggregated.has_value());
  const DisaggregatedDeployment& d = *spec.disaggregated;
  EXPECT_FALSE(d.prefill.step->options().speculation.enabled());
  EXPECT_EQ(d.decode.cluster.engine.speculation.draft_tokens, 3);
  // The one-layer head's KV of the prompt moves too: 81 of 80 layers' bytes.
  EXPECT_NEAR(d.transfer.bytes_per_token, plain.disaggregated->transfer.bytes_per_token * 81 / 80,
              1e-6);
  EXPECT_EQ(spec.metrics.output_tokens, plain.metrics.output_tokens);
  EXPECT_LT(spec.metrics.tpot.mean, 0.6 * plain.metrics.tpot.mean);
}

TEST(SpeculativeServing, MlperfTakesItExceptWithBeamSearch) {
  // DeepSeek-R1's v6.0 Interactive scenario (1.5 s / 15 ms) is the one whose
  // reference runs MTP speculative decoding.
  const MlperfBenchmark& r1 = find_benchmark("deepseek-r1");
  ASSERT_TRUE(r1.interactive.has_value());
  EXPECT_DOUBLE_EQ(r1.interactive->ttft, 1.5);
  EXPECT_DOUBLE_EQ(r1.interactive->tpot, 0.015);
  MlperfOptions o;
  o.chip = "h100-sxm";
  o.count = 1;
  o.benchmark = "gpt-j";
  o.speculative = 2;
  o.acceptance = 0.8;
  const std::string e = error_of([&] { run_mlperf(o); });
  EXPECT_TRUE(has(e, "beam search")) << e;
  ServeOptions s = lone_request(2, 0.8);
  s.trace.clear();
  s.model = "gpt-j-6b";
  s.dataset = "mlperf-gpt-j";
  s.requests = 4;
  const std::string beams = error_of([&] { run_serve(s); });
  EXPECT_TRUE(has(beams, "beam search")) << beams;
}

}  // namespace
}  // namespace cw
