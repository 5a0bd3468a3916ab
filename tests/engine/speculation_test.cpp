// Speculative decoding: the acceptance arithmetic, the verification pass's
// cost, the drafter's passes and memory, and the errors of its flags.
#include "engine/speculation.hpp"

#include <gtest/gtest.h>

#include "../support/user_error.hpp"
#include "engine/fixed_batch.hpp"
#include "engine/step_model.hpp"
#include "engine/workload_run.hpp"
#include "hardware/chip_loader.hpp"
#include "perf/ops.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/model_stats.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

using test::error_of;
using test::has;

Speculation head(int k, double alpha) {
  Speculation s;
  s.draft_tokens = k;
  s.acceptance = alpha;
  return s;
}

TEST(Speculation, ExpectedTokensFollowLeviathanEquationOne) {
  // (1 - α^(k+1)) / (1 - α): k = 3, α = 0.8 gives (1 - 0.4096) / 0.2.
  EXPECT_NEAR(head(3, 0.8).expected_tokens(), 2.952, 1e-12);
  EXPECT_NEAR(head(1, 0.85).expected_tokens(), 1.85, 1e-12);  // DeepSeek-V3 MTP: 1.8x TPS
  EXPECT_DOUBLE_EQ(head(4, 0.0).expected_tokens(), 1.0);
  EXPECT_DOUBLE_EQ(head(4, 1.0).expected_tokens(), 5.0);
  EXPECT_DOUBLE_EQ(Speculation{}.expected_tokens(), 1.0);
  EXPECT_EQ(head(3, 0.8).verify_tokens(), 4);
}

TEST(Speculation, ABatchCountsTheVerifiedTokensOfEachSequence) {
  Batch b;
  b.prefill.push_back({2, 10, 10, true});
  b.decode.push_back({4, 100, 3});
  EXPECT_EQ(b.decode_sequences(), 4);
  EXPECT_EQ(b.decode_tokens(), 12);
  EXPECT_EQ(b.new_tokens(), 2 * 10 + 12);  // the linear layers' rows
  EXPECT_EQ(b.logits_rows(), 12 + 2);      // every verified position, each finished prompt
  // Sharing a batch over ranks or micro-batches keeps each sequence's tokens.
  const Batch half = busiest_rank_share(b, 2);
  ASSERT_EQ(half.decode.size(), 1u);
  EXPECT_EQ(half.decode[0].sequences, 2);
  EXPECT_EQ(half.decode[0].tokens, 3);
  EXPECT_EQ(split_micro_batches(b).second.decode_tokens(), 6);
}

TEST(Speculation, SampledTokensHaveTheExpectedMeanAndRange) {
  const Speculation s = head(3, 0.8);
  constexpr int kDraws = 200000;
  double sum = 0;
  int64_t lo = 99, hi = 0;
  for (int i = 0; i < kDraws; ++i) {
    const int64_t t = s.sampled_tokens((i + 0.5) / kDraws);  // a uniform grid over [0, 1)
    sum += static_cast<double>(t);
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  EXPECT_NEAR(sum / kDraws, s.expected_tokens(), 1e-4);
  EXPECT_EQ(lo, 1);
  EXPECT_EQ(hi, 4);
  // P(all k accepted) = α^k = 0.512: u below it takes all four tokens.
  EXPECT_EQ(s.sampled_tokens(0.511), 4);
  EXPECT_EQ(s.sampled_tokens(0.513), 3);
  EXPECT_EQ(s.sampled_tokens(0.9), 1);
}

TEST(Speculation, VerificationReadsTheKvCacheOnce) {
  // Four query tokens per sequence share its K/V: the same KV bytes, four
  // times the FLOPs, and never faster than one token.
  const ChipSpec chip = load_chip("h100-sxm");
  DecodeAttentionShape one{32, 4096, 64, 8, 128, 128, false, Dtype::bf16, 1.0};
  DecodeAttentionShape four = one;
  four.queries = 4;
  const Cost c1 = decode_attention_cost(chip, one), c4 = decode_attention_cost(chip, four);
  const int main = static_cast<int>(chip.memory.size()) - 1;
  const double kv = 32.0 * 4096 * 8 * 2 * 128 * 1.0;
  EXPECT_GT(c1.bytes[main], kv);
  // Only the three extra rows' q and o, and their RoPE + KV write, differ
  // (2.6% of the cache here), not another pass over the cache.
  EXPECT_GT(c4.bytes[main] - c1.bytes[main], 0);
  EXPECT_LT(c4.bytes[main] - c1.bytes[main], 0.03 * kv);
  EXPECT_NEAR(c4.flops, 4 * c1.flops, 1e-6 * c4.flops);
  EXPECT_GE(c4.time, c1.time);
  EXPECT_LT(c4.time, 1.5 * c1.time);  // bandwidth-bound: four tokens cost little more
}

TEST(Speculation, TheStepRunsKDraftPassesAndVerifiesKPlusOneTokens) {
  const ChipSpec chip = load_chip("h100-sxm");
  const ModelSpec model = load_model("llama3.1-70b");
  StepOptions o{2};
  o.speculation = head(3, 0.8);
  StepModel step(chip, model, load_precision("fp8"), o);
  Batch b;
  b.decode.push_back({8, 2048, 4});
  const StepResult r = step.evaluate(b);
  const LayerClassResult* draft = nullptr;
  for (const auto& lc : r.layers)
    if (std::string_view(lc.name) == "draft") draft = &lc;
  ASSERT_NE(draft, nullptr);
  EXPECT_EQ(draft->count, 3);
  EXPECT_GT(draft->per_layer.time, 0);
  // The verification pass runs 32 rows through the linear layers; the draft
  // head is one of the 80 layers plus the LM head, per pass.
  StepModel plain(chip, model, load_precision("fp8"), StepOptions{2});
  Batch one;
  one.decode.push_back({8, 2048, 1});
  const double single = plain.time(one);
  EXPECT_GT(r.total.time, single);
  EXPECT_LT(r.total.time, 2 * single);
  EXPECT_LT(draft->per_layer.time * 3, 0.5 * single);
}

FixedBatchResult run(const char* chip, const char* model, int tp, int64_t batch,
                     const Speculation& s) {
  FixedWorkload w{batch, 1024, 256, 8192, false, 0, s};
  return run_fixed_workload(load_chip(chip), load_model(model), load_precision("fp8"),
                            ParallelPlan{tp, 1, 1, 1}, w);
}

TEST(Speculation, AcceptanceSetsTheSpeedUpAtSmallBatch) {
  const double base = run("h100-sxm", "llama3.1-70b", 2, 1, {}).tpot;
  const double none = run("h100-sxm", "llama3.1-70b", 2, 1, head(3, 0.0)).tpot;
  EXPECT_GT(none, base);  // nothing accepted: the drafter and wider verify are pure cost
  double prev = none;
  for (double a : {0.5, 0.7, 0.9, 1.0}) {
    const double t = run("h100-sxm", "llama3.1-70b", 2, 1, head(3, a)).tpot;
    EXPECT_LT(t, prev) << a;  // a better drafter is never slower
    prev = t;
  }
  // At batch 1 decode streams the weights: four tokens per pass at α = 1
  // come out at about a quarter of the time per token, less the drafter.
  EXPECT_LT(prev, 0.4 * base);
  EXPECT_GT(prev, 0.25 * base);
}

TEST(Speculation, DrafterMemoryIsItsWeightsAndKv) {
  const ChipSpec chip = load_chip("h100-sxm");
  const ModelSpec target = load_model("llama3.1-8b");
  const Precision bf16 = load_precision("bf16");
  // A head: one Llama-3.1-8B layer (41.9 M attention + 176.2 M MLP + 8 k
  // norm parameters) plus the 2h x h fusion (33.6 M), in bf16, on 2 chips.
  const double params = 4096.0 * 10240 + 3.0 * 4096 * 14336 + 2 * 4096 + 2.0 * 4096 * 4096;
  const MemoryBudget h =
      drafter_budget(chip, head(2, 0.8), target, bf16, ParallelPlan{2, 1, 1, 1}, 1000);
  EXPECT_NEAR(h.weights, params * 2 / 2, 1e-3 * params);
  // Its KV: one layer, 8 KV heads of 128 over 2 chips, K and V, bf16.
  EXPECT_NEAR(h.kv_cache, 1000.0 * 8 * 128 * 2 * 2 / 2, 1e-6);
  // A separate draft model: all of Llama-3.2-1B (1.24 B, tied embeddings).
  Speculation s = head(4, 0.7);
  s.draft_model = std::make_shared<const ModelSpec>(load_model("llama3.2-1b"));
  const MemoryBudget d = drafter_budget(chip, s, target, bf16, ParallelPlan{1, 1, 1, 1}, 0);
  EXPECT_NEAR(d.weights, 2.0 * parameter_counts(*s.draft_model).total, 1e6);
  EXPECT_EQ(
      drafter_budget(chip, Speculation{}, target, bf16, ParallelPlan{1, 1, 1, 1}, 1000).used(), 0);
}

TEST(Speculation, DeepSeekHeadIsItsMtpModule) {
  // DeepSeek-V3's drafter is its MTP module: an MoE layer past the dense prefix.
  const ModelSpec v3 = load_model("deepseek-v3");
  Speculation s = resolve_speculation(1, 0.85, "head", v3);
  EXPECT_EQ(s.head_layers, 1);
  const ModelSpec drafter = drafter_model(s, v3);
  EXPECT_EQ(drafter.layers, 1);
  EXPECT_TRUE(drafter.is_moe_layer(0));
  // 11.5 B of its 14 B MTP parameters are that layer (the rest: the 2h x h
  // projection, norms; the embedding and LM head are shared).
  const double layer =
      static_cast<double>(parameter_counts(drafter).total - parameter_counts(drafter).embedding -
                          parameter_counts(drafter).lm_head);
  EXPECT_NEAR(layer + 2.0 * 7168 * 7168, static_cast<double>(parameter_counts(v3).mtp),
              1e-3 * static_cast<double>(parameter_counts(v3).mtp));
}

TEST(Speculation, Llama32OneBillionMatchesItsModelCard) {
  // Meta's model card: 1.23 B parameters (1.24 B counting the tied table once).
  const ParameterCounts p = parameter_counts(load_model("llama3.2-1b"));
  EXPECT_NEAR(static_cast<double>(p.total), 1.236e9, 0.005e9);
}

TEST(Speculation, FlagErrorsNameTheFlagAndAFix) {
  const ModelSpec target = load_model("llama3.1-70b");
  std::string e = error_of([&] { resolve_speculation(3, -1, "head", target); });
  EXPECT_TRUE(has(e, "--acceptance")) << e;
  e = error_of([&] { resolve_speculation(0, 0.8, "head", target); });
  EXPECT_TRUE(has(e, "--speculative K")) << e;
  e = error_of([&] { resolve_speculation(0, -1, "llama3.2-1b", target); });
  EXPECT_TRUE(has(e, "--speculative K")) << e;
  e = error_of([&] { resolve_speculation(3, 0.8, "llama2-7b", target); });
  EXPECT_TRUE(has(e, "vocabulary")) << e;
  EXPECT_TRUE(has(e, "llama3.2-1b")) << e;
  e = error_of([&] { resolve_speculation(3, 1.5, "head", target); });
  EXPECT_TRUE(has(e, "[0, 1]")) << e;
  e = error_of([&] { resolve_speculation(40, 0.8, "head", target); });
  EXPECT_TRUE(has(e, "0 (off) to 16")) << e;
  e = error_of([&] { resolve_speculation(3, 0.8, "no-such-model", target); });
  EXPECT_FALSE(e.empty());
  EXPECT_FALSE(resolve_speculation(0, -1, "head", target).enabled());
}

}  // namespace
}  // namespace cw
