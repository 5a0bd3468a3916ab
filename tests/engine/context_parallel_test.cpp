// Context parallelism: plan checks, exact splits of the KV cache and of the
// linear layers' tokens, balanced causal attention, and the ring's bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "../support/step_fixture.hpp"
#include "config/error.hpp"
#include "engine/batch.hpp"
#include "engine/memory_fit.hpp"
#include "engine/parallel_plan.hpp"
#include "engine/step_model.hpp"
#include "hardware/chip_loader.hpp"
#include "perf/ops.hpp"
#include "serving/deployment.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

const OpRecord* find_op(const StepResult& r, const std::string& name) {
  for (const auto& lc : r.layers) {
    if (std::string(lc.name) != "dense_layer") continue;
    for (const auto& op : lc.ops)
      if (name == op.name) return &op;
  }
  return nullptr;
}

struct Llama70b : test::StepFixture {
  Llama70b() : StepFixture("h100-sxm", "llama3.1-70b") {}
  StepResult run(int tp, int cp, const Batch& b) const {
    StepOptions o{tp};
    o.cp = cp;
    return StepFixture::run(o, b);
  }
};

TEST(ContextParallel, PlansNameCpAndRefuseWhatIsNotModelled) {
  EXPECT_EQ((ParallelPlan{4, 1, 1, 1, false, 2}.to_string()), "tp4 pp1 ep1 dp1 cp2");
  EXPECT_EQ((ParallelPlan{4, 1, 1, 1, false, 2}.chips()), 8);
  ModelSpec ds = load_model("deepseek-v3");
  EXPECT_NO_THROW(check_plan(ParallelPlan{8, 1, 1, 1, false, 2}, ds));  // MLA rings its latent
  EXPECT_THROW(check_plan(ParallelPlan{8, 1, 8, 1, true, 2}, ds), UserError);
  try {
    check_plan(ParallelPlan{2, 2, 1, 1, false, 2}, load_model("llama3.1-70b"));
    FAIL() << "cp with pp accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("use --pp 1 (e.g. --tp 4 --cp 2)"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(check_plan(ParallelPlan{4, 1, 1, 1, false, 0}, load_model("llama3.1-8b")),
               UserError);
}

TEST(ContextParallel, EnumeratedForEveryModel) {
  auto plans = enumerate_plans(load_model("llama3.1-70b"), 8);
  auto has = [&](int tp, int cp, int dp) {
    return std::any_of(plans.begin(), plans.end(), [&](const ParallelPlan& p) {
      return p.tp == tp && p.cp == cp && p.dp == dp && p.pp == 1;
    });
  };
  EXPECT_TRUE(has(4, 2, 1));
  EXPECT_TRUE(has(2, 4, 1));
  EXPECT_TRUE(has(2, 2, 2));
  EXPECT_TRUE(has(1, 8, 1));
  for (const auto& p : plans) EXPECT_EQ(p.chips(), 8) << p.to_string();
  const auto ds = enumerate_plans(load_model("deepseek-v3"), 16);
  EXPECT_TRUE(std::any_of(ds.begin(), ds.end(), [](const ParallelPlan& p) {
    return p.tp == 8 && p.cp == 2 && !p.attention_dp;
  }));
}

TEST(ContextParallel, MlaRingsItsLatentAndExpandsItInEveryGroup) {
  // DeepSeek-V3 on tp8 cp2 (16 H200), one 32,768-token prompt: each group
  // runs 16,384 of its tokens through the projections and half of the
  // attention, but up-projects the latent of all 32,768 attended tokens (the
  // ring brings them); the ring carries 16,384 latents of 576 fp8 bytes.
  test::StepFixture f("h200-sxm", "deepseek-v3");
  Batch b;
  b.prefill.push_back({1, 32768, 32768, true});
  StepOptions one{8}, two{8};
  two.cp = 2;
  const StepResult r1 = f.run(one, b), r2 = f.run(two, b);
  EXPECT_DOUBLE_EQ(find_op(r2, "kv_up_proj")->cost.flops, find_op(r1, "kv_up_proj")->cost.flops);
  EXPECT_DOUBLE_EQ(find_op(r2, "kv_down_proj")->cost.flops * 2,
                   find_op(r1, "kv_down_proj")->cost.flops);
  EXPECT_DOUBLE_EQ(find_op(r2, "attention_prefill")->cost.flops * 2,
                   find_op(r1, "attention_prefill")->cost.flops);
  EXPECT_DOUBLE_EQ(find_op(r2, "cp_kv_ring")->cost.link_bytes, 16384.0 * 576 * 1);
  EXPECT_LT(r2.total.time, r1.total.time);
  // Decode: the absorbed attention over half the latent, partials kv_lora
  // (512) wide for 16 heads per rank, combined over the two groups.
  Batch d;
  d.decode.push_back({8, 100001});
  const StepResult dec = f.run(two, d);
  DecodeAttentionShape half{8, 50001, 16, 1, 576, 512, true, Dtype::bf16, 1.0};
  EXPECT_DOUBLE_EQ(find_op(dec, "attention_decode")->cost.time,
                   decode_attention_cost(f.chip, half).time);
  EXPECT_DOUBLE_EQ(find_op(dec, "cp_attn_combine")->cost.link_bytes,
                   2.0 * (8.0 * 16 * 514 * 4 / 2));
}

TEST(ContextParallel, EachGroupHoldsItsShareOfTheCache) {
  Llama70b f;
  ParallelPlan one{4, 1, 1, 1}, two{4, 1, 1, 1, false, 2};
  MemoryBudget a = memory_budget(f.chip, f.model, f.precision, one, 131072, 8192);
  MemoryBudget b = memory_budget(f.chip, f.model, f.precision, two, 131072, 8192);
  EXPECT_DOUBLE_EQ(b.weights, a.weights);  // replicated over the groups
  EXPECT_DOUBLE_EQ(b.kv_cache * 2, a.kv_cache);
  EXPECT_DOUBLE_EQ(b.activations * 2, a.activations);
}

TEST(ContextParallel, PrefillSplitsTokensAndAttentionEvenly) {
  // 2 sequences x 16,384 new tokens on tp4 cp2: each group runs 8,192 tokens
  // of each through the linear layers and half of the causal attention.
  Llama70b f;
  Batch b;
  b.prefill.push_back({2, 16384, 16384, true});
  StepResult one = f.run(4, 1, b), two = f.run(4, 2, b);
  EXPECT_DOUBLE_EQ(find_op(two, "qkv_proj")->cost.flops * 2, find_op(one, "qkv_proj")->cost.flops);
  EXPECT_DOUBLE_EQ(find_op(two, "mlp_down")->cost.flops * 2, find_op(one, "mlp_down")->cost.flops);
  const Cost& a1 = find_op(one, "attention_prefill")->cost;
  const Cost& a2 = find_op(two, "attention_prefill")->cost;
  EXPECT_DOUBLE_EQ(a2.time * 2, a1.time);
  EXPECT_DOUBLE_EQ(a2.flops * 2, a1.flops);
  // The ring: one hop of this group's K/V, 2 x 8,192 tokens x 2 KV heads per
  // tp4 rank x (128 + 128) x 1 byte (fp8 cache), to the one other group.
  const OpRecord* ring = find_op(two, "cp_kv_ring");
  ASSERT_NE(ring, nullptr);
  EXPECT_TRUE(ring->comm);
  EXPECT_DOUBLE_EQ(ring->cost.link_bytes, 2.0 * 8192 * 2 * 256 * 1);
  EXPECT_DOUBLE_EQ(ring->cost.time, 0.0);  // 8 MB over NVLink hides behind 100+ ms of attention
  EXPECT_EQ(find_op(one, "cp_kv_ring"), nullptr);
  EXPECT_LT(two.total.time, one.total.time);
}

TEST(ContextParallel, DecodeAttendsToItsShareAndCombines) {
  Llama70b f;
  Batch b;
  b.decode.push_back({32, 100001});
  StepResult two = f.run(4, 2, b);
  DecodeAttentionShape half{32, 50001, 16, 2, 128, 128, false, Dtype::bf16, 1.0};
  EXPECT_DOUBLE_EQ(find_op(two, "attention_decode")->cost.time,
                   decode_attention_cost(f.chip, half).time);
  // Decode tokens run whole on every group: the same GEMM work as without cp.
  EXPECT_DOUBLE_EQ(find_op(two, "qkv_proj")->cost.flops,
                   find_op(f.run(4, 1, b), "qkv_proj")->cost.flops);
  // Partials: 32 sequences x 16 heads x (128 + 2) x 4 bytes, ring all-reduce
  // over 2 groups = 2 hops of half of it.
  const OpRecord* combine = find_op(two, "cp_attn_combine");
  ASSERT_NE(combine, nullptr);
  EXPECT_DOUBLE_EQ(combine->cost.link_bytes, 2.0 * (32.0 * 16 * 130 * 4 / 2));
  EXPECT_EQ(find_op(f.run(4, 1, b), "cp_attn_combine"), nullptr);
}

}  // namespace
}  // namespace cw

namespace cw {
namespace {

// A serving replica of cp groups: count / (tp x cp) replicas, each chip holds
// 1/cp of every sequence's KV so the replica's pool is at least cp times one
// group's (more: activations halve too), and a token's whole KV is unchanged.
TEST(ContextParallel, ServingReplicaPoolsItsGroupsCaches) {
  Llama70b f;
  auto deploy = [&](int cp, int count) {
    StepOptions o{4};
    o.cp = cp;
    return make_deployment(std::make_shared<StepModel>(f.chip, f.model, f.precision, o), count,
                           EngineConfig{});
  };
  const Deployment one = deploy(1, 8), two = deploy(2, 8);
  EXPECT_EQ(one.replicas, 2);
  EXPECT_EQ(two.replicas, 1);
  EXPECT_EQ(two.cp, 2);
  const int64_t b1 = one.cluster.engine.kv_blocks, b2 = two.cluster.engine.kv_blocks;
  EXPECT_GE(b2, 2 * b1);
  EXPECT_LE(b2, 2 * b1 * 101 / 100);
  EXPECT_DOUBLE_EQ(two.cluster.engine.kv_bytes_per_token, one.cluster.engine.kv_bytes_per_token);
  EXPECT_DOUBLE_EQ(two.cluster.engine.swap_bandwidth, one.cluster.engine.swap_bandwidth * 2);
  EXPECT_NE(two.describe().find("1 replica x tp 4 cp 2 (8 chips)"), std::string::npos)
      << two.describe();
  try {
    deploy(2, 12);
    ADD_FAILURE() << "12 chips are not whole replicas of tp 4 x cp 2";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("replicas of tp 4 x cp 2 = 8 chips; use a --count that "
                                         "is a multiple of 8"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cw
