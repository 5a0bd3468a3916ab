#include "engine/step_model.hpp"

#include <gtest/gtest.h>

#include "config/error.hpp"
#include "engine/fixed_batch.hpp"
#include "engine/memory_fit.hpp"
#include "hardware/chip_loader.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/model_stats.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

double gemm_flops(const StepResult& s) {
  // FLOPs of every op; attention and vector FLOPs are small against GEMMs at
  // short context, so tests compare against the linear-layer count.
  double f = 0;
  for (const auto& lc : s.layers) f += lc.per_layer.flops * static_cast<double>(lc.count);
  return f;
}

Batch decode_batch(int64_t n, int64_t context) {
  Batch b;
  b.decode.push_back({n, context});
  return b;
}

TEST(StepModel, PrefillFlopsMatchTwiceActiveParameters) {
  // 2 FLOPs per active matmul parameter per token (Kaplan et al. 2020), plus
  // attention; at 16 tokens of context attention is negligible.
  for (const char* id : {"llama3.1-8b", "mixtral-8x7b", "qwen2.5-72b"}) {
    ModelSpec m = load_model(id);
    StepModel step(load_chip("h100-sxm"), m, load_precision("bf16"));
    Batch b;
    b.prefill.push_back({64, 16, 16, true});
    StepResult r = step.evaluate(b);
    ParameterCounts p = parameter_counts(m);
    // Every token passes the layers; only the 64 last tokens reach the LM head.
    double expected = 2.0 * 64 * 16 * double(p.active - p.embedding - p.lm_head) +
                      2.0 * 64 * double(p.lm_head);
    double matmul = 0;
    for (const auto& lc : r.layers) {
      for (const auto& op : lc.ops) {
        std::string n = op.name;
        if (n.find("attention") == std::string::npos && n != "sampling" &&
            n.find("norm") == std::string::npos && n != "activation" && n != "router_topk" &&
            n != "expert_combine" && n != "rope_kv_write" && n != "embedding_gather") {
          matmul += op.cost.flops * double(lc.count);
        }
      }
    }
    // MoE: 1024 tokens touch all experts, so FLOPs follow top-k exactly.
    EXPECT_NEAR(matmul / expected, 1.0, 0.01) << id;
    EXPECT_GT(gemm_flops(r), matmul);
  }
}

TEST(StepModel, DecodeReadsEveryWeightOnceAndIsNotFasterThanStreamingThem) {
  ChipSpec chip = load_chip("h100-sxm");
  ModelSpec m = load_model("llama3.1-70b");
  Precision p = load_precision("fp8");
  StepModel step(chip, m, p);
  StepResult r = step.evaluate(decode_batch(8, 1024));
  double weights = weight_bytes(m, p);
  int main_level = static_cast<int>(chip.memory.size()) - 1;
  EXPECT_GE(r.total.bytes[main_level], 0.99 * weights);
  EXPECT_GE(r.total.time, weights / chip.main_memory().bandwidth);
}

TEST(StepModel, MoreWorkIsNeverFaster) {
  StepModel step(load_chip("h100-sxm"), load_model("llama3.1-8b"), load_precision("fp8"));
  double prev = 0;
  for (int64_t b : {1, 2, 8, 32, 128, 512}) {
    double t = step.time(decode_batch(b, 1024));
    EXPECT_GE(t, prev) << b;
    prev = t;
  }
  prev = 0;
  for (int64_t ctx : {128, 1024, 8192, 32768}) {
    double t = step.time(decode_batch(32, ctx));
    EXPECT_GE(t, prev) << ctx;
    prev = t;
  }
}

TEST(StepModel, TensorParallelismShardsWeights) {
  ChipSpec chip = load_chip("h100-sxm");
  ModelSpec m = load_model("llama3.1-70b");
  Precision p = load_precision("fp8");
  StepModel one(chip, m, p, StepOptions{1});
  StepModel four(chip, m, p, StepOptions{4});
  int main_level = static_cast<int>(chip.memory.size()) - 1;
  double b1 = one.evaluate(decode_batch(1, 128)).total.bytes[main_level];
  double b4 = four.evaluate(decode_batch(1, 128)).total.bytes[main_level];
  EXPECT_NEAR(b4 / b1, 0.25, 0.01);
  EXPECT_THROW(StepModel(chip, m, p, StepOptions{3}), UserError);  // 64 heads
}

TEST(StepModel, DtypeTheChipLacksIsAUserError) {
  try {
    StepModel(load_chip("a100-sxm"), load_model("llama3.1-8b"), load_precision("fp8"));
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("fp8.yaml: key 'attention_projections': precision 'fp8' computes in fp8 but chip a100-sxm has no fp8"), std::string::npos) << e.what();
  }
}

TEST(StepModel, WeightOnlyQuantisationReadsNarrowWeightsAndComputesWide) {
  // W4A16 on an A100 (no 4-bit matrix units): it runs, a batch-1 decode
  // streams 4.125-bit instead of 16-bit weights, and a compute-bound prefill
  // runs at the BF16 rate.
  ChipSpec chip = load_chip("a100-sxm");
  ModelSpec m = load_model("llama3.1-8b");
  StepModel w4(chip, m, load_precision("w4a16"));
  StepModel bf16(chip, m, load_precision("bf16"));
  const int main_level = static_cast<int>(chip.memory.size()) - 1;
  const StepResult dw = w4.evaluate(decode_batch(1, 128));
  const StepResult db = bf16.evaluate(decode_batch(1, 128));
  const ParameterCounts pc = parameter_counts(m);
  const double linear = static_cast<double>(pc.active - pc.embedding - pc.lm_head);
  // Main-memory bytes drop by the linear layers' 16 - 4.125 bits.
  EXPECT_NEAR(db.total.bytes[main_level] - dw.total.bytes[main_level], linear * (2 - 4.125 / 8),
              0.02 * linear);
  EXPECT_LT(dw.total.time, 0.5 * db.total.time);
  Batch prefill;
  prefill.prefill.push_back({8, 2048, 2048, true});
  EXPECT_NEAR(w4.time(prefill) / bf16.time(prefill), 1.0, 0.03);
}

TEST(StepModel, ADenseFormatOnlyMattersWithDenseLayers) {
  // gpt-oss has an MoE in every layer: a recipe whose dense_mlp is FP4 runs
  // on an H100 (no FP4 units) as long as its experts compute in BF16; on
  // Llama the same recipe is refused, naming dense_mlp.
  const Precision p = parse_precision(
      "activations: bf16\nattention_projections: {dtype: bf16}\nattention_math: {dtype: bf16}\n"
      "dense_mlp: {dtype: fp4}\nmoe_experts: {dtype: mxfp4, compute: bf16}\n"
      "lm_head: {dtype: bf16}\nkv_cache: {dtype: bf16}\n",
      "r.yaml");
  const ChipSpec chip = load_chip("h100-sxm");
  EXPECT_NO_THROW(StepModel(chip, load_model("gpt-oss-20b"), p));
  try {
    StepModel(chip, load_model("llama3.1-8b"), p);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("key 'dense_mlp'"), std::string::npos) << e.what();
  }
}

TEST(StepModel, DeepSeekUsesMlaAndMoeLayerClasses) {
  StepModel step(load_chip("h200-sxm"), load_model("deepseek-v3"), load_precision("fp8"));
  StepResult r = step.evaluate(decode_batch(16, 2048));
  ASSERT_EQ(r.layers.size(), 5u);  // embedding, 3 dense, 58 MoE, lm_head, engine overhead
  EXPECT_EQ(r.layers[1].count, 3);
  EXPECT_EQ(r.layers[2].count, 58);
  bool absorbed = false;
  for (const auto& op : r.layers[2].ops) absorbed |= std::string(op.name) == "q_absorb";
  EXPECT_TRUE(absorbed);
}

TEST(FixedBatch, TimesAddUp) {
  StepModel step(load_chip("h100-sxm"), load_model("llama3.1-8b"), load_precision("fp8"));
  FixedBatchResult r = run_fixed_batch(step, {4, 512, 33, 8192});
  // One prefill iteration of 4 x 512 tokens, then 32 decode steps.
  EXPECT_EQ(r.prefill_steps, 1);
  EXPECT_EQ(r.decode_steps, 32);
  EXPECT_DOUBLE_EQ(r.ttft, r.prefill.total.time);
  EXPECT_NEAR(r.e2e, r.ttft + 32 * r.tpot, 1e-12);
  EXPECT_NEAR(r.output_tokens_per_s, 4 * 33 / r.e2e, 1e-6);
  // The sampled integration of long outputs agrees with exact summation.
  FixedBatchResult exact = run_fixed_batch(step, {4, 512, 65, 8192});
  FixedBatchResult sampled = run_fixed_batch(step, {4, 512, 66, 8192});
  EXPECT_NEAR(sampled.tpot / exact.tpot, 1.0, 0.01);
}

TEST(FixedBatch, PrefillIsSplitByTheTokenBudget) {
  StepModel step(load_chip("h100-sxm"), load_model("llama3.1-8b"), load_precision("fp8"));
  EXPECT_EQ(run_fixed_batch(step, {64, 1024, 1, 8192}).prefill_steps, 8);
  EXPECT_EQ(run_fixed_batch(step, {2, 20000, 1, 8192}).prefill_steps, 6);
  EXPECT_THROW(run_fixed_batch(step, {0, 1, 1, 8192}), UserError);
}

TEST(MemoryBudget, OverflowSaysByHowMuch) {
  ChipSpec chip = load_chip("h100-sxm");
  ModelSpec m = load_model("llama3.1-405b");
  Precision p = load_precision("fp8");
  MemoryBudget b = memory_budget(chip, m, p, 1, 1024, 1024);
  EXPECT_FALSE(b.fits());
  try {
    require_fits(b, chip, m, p, 1);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("does not fit on 1 x h100-sxm"), std::string::npos) << msg;
    EXPECT_NE(msg.find("GB short"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--tp"), std::string::npos) << msg;
  }
  MemoryBudget eight = memory_budget(chip, m, p, 8, 1024, 1024);
  EXPECT_TRUE(eight.fits());
  EXPECT_NEAR(eight.weights * 8, weight_bytes(m, p), 1.0);
}

}  // namespace
}  // namespace cw
