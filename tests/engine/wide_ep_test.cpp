// Wide expert parallelism (attention data-parallel over the ep group, routed
// experts sharded E/ep, all-to-all dispatch and combine): hand-computed
// traffic, exact weight sharding, and properties that must hold.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "config/error.hpp"
#include "engine/batch.hpp"
#include "engine/expert_dispatch.hpp"
#include "engine/fixed_batch.hpp"
#include "engine/memory_fit.hpp"
#include "engine/parallel_plan.hpp"
#include "engine/step_model.hpp"
#include "hardware/chip_loader.hpp"
#include "hardware/system_loader.hpp"
#include "serving/deployment.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/model_stats.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

Batch decode_batch(int64_t n, int64_t context) {
  Batch b;
  b.decode.push_back({n, context});
  return b;
}

StepOptions wide_ep(int ep) {
  StepOptions o{ep, 1, ep};
  o.attention_dp = true;
  return o;
}

const Cost& op_cost(const StepResult& r, const std::string& layer, const std::string& op) {
  for (const auto& lc : r.layers) {
    if (lc.name != layer) continue;
    for (const auto& o : lc.ops) {
      if (o.name == op) return o.cost;
    }
  }
  throw std::runtime_error("no op " + op + " in " + layer);
}

bool has_op(const StepResult& r, const std::string& op) {
  for (const auto& lc : r.layers) {
    for (const auto& o : lc.ops) {
      if (o.name == op) return true;
    }
  }
  return false;
}

TEST(WideEp, BusiestRankHoldsTheCeilingOfEachList) {
  Batch b;
  b.decode.push_back({3, 100});
  b.decode.push_back({5, 200});
  b.prefill.push_back({2, 64, 64, true});
  // Decode positions 0..7 over 4 ranks: rank 0 gets 0 (first group) and 4 (second).
  Batch s = busiest_rank_share(b, 4);
  ASSERT_EQ(s.decode.size(), 2u);
  EXPECT_EQ(s.decode[0].sequences, 1);
  EXPECT_EQ(s.decode[1].sequences, 1);
  EXPECT_EQ(s.decode[1].context, 200);
  ASSERT_EQ(s.prefill.size(), 1u);
  EXPECT_EQ(s.prefill[0].sequences, 1);
  EXPECT_EQ(busiest_rank_share(decode_batch(10, 8), 4).decode_sequences(), 3);  // ceil(10/4)
  EXPECT_EQ(busiest_rank_share(decode_batch(256, 8), 8).decode_sequences(), 32);
  EXPECT_EQ(busiest_rank_share(decode_batch(3, 8), 8).decode_sequences(), 1);
}

MoeSpec routing(int64_t experts, int64_t k, int64_t groups = 1, int64_t chosen = 1) {
  MoeSpec m;
  m.num_experts = experts;
  m.experts_per_token = k;
  m.expert_groups = groups;
  m.groups_per_token = chosen;
  return m;
}

TEST(WideEp, RanksPerTokenIsTheHypergeometricCoverage) {
  // One expert per rank: every one of the k experts is on its own rank.
  EXPECT_DOUBLE_EQ(ranks_per_token(routing(8, 2), 8), 2.0);
  // Mixtral on 2 ranks of 4 experts: 2 · (1 − C(4,2)/C(8,2)) = 2 · 22/28.
  EXPECT_DOUBLE_EQ(ranks_per_token(routing(8, 2), 2), 2.0 * 22.0 / 28.0);
  EXPECT_DOUBLE_EQ(ranks_per_token(routing(8, 2), 1), 1.0);
  // 256 experts, k = 8, uniform, on 8 ranks of 32: 8 · (1 − C(224,8)/C(256,8)).
  EXPECT_NEAR(ranks_per_token(routing(256, 8), 8), 5.294652000382479, 1e-12);
  // More ranks: more copies, never more than k.
  double last = 0;
  for (int ep : {1, 2, 4, 8, 16, 32, 64, 128, 256}) {
    const double r = ranks_per_token(routing(256, 8), ep);
    EXPECT_GT(r, last) << ep;
    EXPECT_LE(r, 8.0 + 1e-12) << ep;
    last = r;
  }
  EXPECT_NEAR(last, 8.0, 1e-12);
}

TEST(WideEp, GroupLimitedRoutingReachesFewerRanks) {
  // DeepSeek-V3's config: n_group 8, topk_group 4.
  const MoeSpec ds = load_model("deepseek-v3").moe.value();
  EXPECT_EQ(ds.expert_groups, 8);
  EXPECT_EQ(ds.groups_per_token, 4);
  // 8 ranks = the 8 groups: a rank is reached when its group is one of the 4
  // chosen (1/2) and one of the 8 experts, uniform over the chosen 128, is
  // among its 32: 8 · 1/2 · (1 − C(96,8)/C(128,8)) = 3.629 (5.295 uniform).
  EXPECT_NEAR(ranks_per_token(ds, 8), 3.6290109244257005, 1e-12);
  // 4 ranks of two groups: sum over j chosen groups of C(2,j)C(6,4−j)/C(8,4)
  // · (1 − C(128 − 32j, 8)/C(128, 8)).
  EXPECT_NEAR(ranks_per_token(ds, 4), 2.9282097874345783, 1e-12);
  EXPECT_NEAR(ranks_per_token(ds, 16), 5.339356895383487, 1e-12);
  // Without a group limit (topk_group = n_group) it is uniform routing.
  EXPECT_DOUBLE_EQ(ranks_per_token(routing(256, 8, 8, 8), 8), ranks_per_token(routing(256, 8), 8));
  for (int ep : {2, 4, 8, 16, 32, 64})
    EXPECT_LT(ranks_per_token(ds, ep), ranks_per_token(routing(256, 8), ep)) << ep;
}

// Across two 8-GPU servers (DeepEP internode), DeepSeek-V3's routing: a token
// crosses the network once if the other node holds any of its experts,
// P = 0.96292 (uniform routing: 0.99651), and scale-up links carry
// 2 · 7 · 0.33371 = 4.67194 copies (own node's peers, and forwarding at the
// remote node), against 16 · 0.33371 · 8/16 = 2.66968 NIC copies for a
// per-rank all-to-all.
TEST(WideEp, InternodeDispatchCrossesTheNetworkOncePerNode) {
  ChipSpec chip = load_chip("h100-sxm");
  SystemSpec sys = standard_system(chip, 16);
  const MoeSpec ds = load_model("deepseek-v3").moe.value();
  const double vector = 1024.0 * 7168;  // 1024 tokens, fp8
  CollectiveResult r = expert_exchange(sys, 16, 1024, ds, 7168, 1.0);
  EXPECT_NEAR(r.scale_out_bytes / vector, 0.9629210695998445, 1e-12);
  EXPECT_NEAR(r.scale_up_bytes / vector, 4.671937283460551, 1e-12);
  EXPECT_DOUBLE_EQ(r.cost.time,
                   direct_exchange(sys, 16, r.scale_up_bytes, r.scale_out_bytes).cost.time);
  CollectiveResult flat =
      collective(sys, CollectiveKind::all_to_all, 16, vector * ranks_per_token(ds, 16));
  EXPECT_NEAR(flat.scale_out_bytes / vector, 5.339356895383487 / 2, 1e-9);
  EXPECT_LT(r.cost.time, flat.cost.time);
  CollectiveResult uniform = expert_exchange(sys, 16, 1024, routing(256, 8), 7168, 1.0);
  EXPECT_NEAR(uniform.scale_out_bytes / vector, 0.9965100577159106, 1e-12);
}

TEST(WideEp, DispatchAndCombineBytesOfDeepSeekV3DecodeOn8Ranks) {
  // Batch 256 on 8 ranks: 32 tokens per rank, k = 8, hidden 7168, each token
  // sent once to each of the 3.6290 ranks its experts are on (DeepEP, group-
  // limited routing). The fp8 recipe dispatches in fp8 (1 byte) and combines
  // in bf16 (2 bytes): buffer 32 x 3.6290 x 7168 x 1 = 832,408 B, of which 7/8
  // leave. Without de-duplication it would be 32 x 8 x 7168 = 1,835,008 B.
  ChipSpec chip = load_chip("h200-sxm");
  ModelSpec m = load_model("deepseek-v3");
  StepModel step(chip, m, load_precision("fp8"), wide_ep(8));
  EXPECT_DOUBLE_EQ(expert_exchange_bytes(32, 8.0, 7168, 1.0), 1835008.0);
  const double buffer = 32 * 3.6290109244257005 * 7168;
  EXPECT_NEAR(buffer, 832408.0, 0.1);
  SystemSpec sys = standard_system(chip, 8);
  CollectiveResult dispatch = expert_exchange(sys, 8, 32, *m.moe, 7168, 1.0);
  EXPECT_NEAR(dispatch.scale_up_bytes + dispatch.scale_out_bytes, buffer * 7 / 8, 1e-6);
  CollectiveResult combine = expert_exchange(sys, 8, 32, *m.moe, 7168, 2.0);
  EXPECT_NEAR(combine.scale_up_bytes + combine.scale_out_bytes, 2.0 * buffer * 7 / 8, 1e-6);

  StepResult r = step.evaluate(decode_batch(256, 2048));
  const Cost& d = op_cost(r, "moe_layer", "moe_dispatch");
  const Cost& c = op_cost(r, "moe_layer", "moe_combine");
  EXPECT_NEAR(d.time, collective(sys, CollectiveKind::all_to_all, 8, buffer).cost.time, 1e-15);
  EXPECT_NEAR(c.time, collective(sys, CollectiveKind::all_to_all, 8, 2 * buffer).cost.time, 1e-15);
  EXPECT_GT(c.time, d.time);
  // No tensor-parallel all-reduce anywhere under attention DP.
  EXPECT_FALSE(has_op(r, "attn_allreduce"));
  EXPECT_FALSE(has_op(r, "mlp_allreduce"));
  // The bf16 recipe dispatches in bf16: the same buffer as the combine.
  StepModel bf16(chip, m, load_precision("bf16"), wide_ep(8));
  StepResult rb = bf16.evaluate(decode_batch(256, 2048));
  EXPECT_DOUBLE_EQ(op_cost(rb, "moe_layer", "moe_dispatch").time, c.time);
}

TEST(WideEp, RoutedExpertsShardExactlyAndTheRestIsReplicated) {
  ChipSpec chip = load_chip("h200-sxm");
  ModelSpec m = load_model("deepseek-v3");
  Precision p = load_precision("fp8");
  // 58 MoE layers x 256 experts x 3 matrices x 7168 x 2048, one byte each.
  const double routed = 58.0 * 256 * 3 * 7168 * 2048;
  EXPECT_DOUBLE_EQ(routed_expert_bytes(m, p), routed);
  const double rest = weight_bytes(m, p) - routed;
  for (int ep : {2, 4, 8, 16, 32}) {
    ParallelPlan plan{ep, 1, ep, 1, true};
    MemoryBudget b = memory_budget(chip, m, p, plan, 1024, 256);
    // Each rank: every non-routed weight once, plus its E/ep experts; over
    // the ep ranks the routed experts add up to the model's.
    EXPECT_NEAR(b.weights - rest, routed / ep, 1.0) << ep;
    EXPECT_NEAR((b.weights - rest) * ep, routed, 1.0) << ep;
    // Pure TP on the same chips shards everything, so it holds fewer weights.
    MemoryBudget tp = memory_budget(chip, m, p, ParallelPlan{ep, 1, ep, 1}, 1024, 256);
    EXPECT_LT(tp.weights, b.weights) << ep;
    EXPECT_NEAR(b.weights - tp.weights, rest * (1.0 - 1.0 / ep), 1.0) << ep;
  }
}

TEST(WideEp, KvCachePerRankIsTheGroupsOverEp) {
  // MLA's latent is not split by tensor parallelism (every TP rank holds the
  // whole batch's), while each attention-DP rank holds only its sequences.
  ChipSpec chip = load_chip("h200-sxm");
  ModelSpec m = load_model("deepseek-v3");
  Precision p = load_precision("fp8");
  const int64_t cached = 256 * 2048;
  MemoryBudget tp8 = memory_budget(chip, m, p, ParallelPlan{8, 1, 8, 1}, cached, 1024);
  MemoryBudget dp8 = memory_budget(chip, m, p, ParallelPlan{8, 1, 8, 1, true}, cached / 8, 128);
  EXPECT_DOUBLE_EQ(dp8.kv_cache * 8, tp8.kv_cache);
  EXPECT_DOUBLE_EQ(tp8.kv_cache, kv_cache_bytes_per_token(m, p) * cached);
}

TEST(WideEp, AttentionOfTheBusiestRankIsASingleChipsOnItsShare) {
  // Attention DP over 8 ranks at batch 256 runs the attention a single chip
  // (tp 1) runs at batch 32: same op, same cost.
  ChipSpec chip = load_chip("h200-sxm");
  ModelSpec m = load_model("deepseek-v3");
  Precision p = load_precision("fp8");
  StepModel wide(chip, m, p, wide_ep(8));
  StepModel one(chip, m, p);
  StepResult rw = wide.evaluate(decode_batch(256, 4096));
  StepResult r1 = one.evaluate(decode_batch(32, 4096));
  for (const char* op : {"attention_decode", "q_up_proj", "o_proj"}) {
    EXPECT_DOUBLE_EQ(op_cost(rw, "moe_layer", op).time, op_cost(r1, "moe_layer", op).time) << op;
  }
  EXPECT_DOUBLE_EQ(op_cost(rw, "dense_layer", "mlp_up").time,
                   op_cost(r1, "dense_layer", "mlp_up").time);
  // The experts see the whole group's 256 tokens: 2048 rows over 256
  // experts, every one touched, 32 experts per rank; the busiest rank gets
  // 16 x 12 + 16 x 6 = 288 rows (engine/expert_load.hpp; 256 on average).
  EXPECT_DOUBLE_EQ(op_cost(rw, "moe_layer", "experts_up").flops, 2.0 * 288 * (2 * 2048) * 7168);
}

// Under attention DP every rank packs its own prompts into 1/ranks of the
// prefill budget (SGLang divides chunked_prefill_size by the DP size):
// 131,072 tokens over 32 ranks is 4,096 per rank, two 2,000-token prompts
// each, 64 per iteration, so 1,024 prompts take 16 balanced iterations
// (packing 65 at group level would leave one rank with 3).
TEST(WideEp, EachRankPacksItsOwnPrefillBudget) {
  ChipSpec chip = load_chip("h100-sxm");
  ModelSpec m = load_model("deepseek-v3");
  StepModel step(chip, m, load_precision("fp8"), wide_ep(32));
  FixedBatchResult r = run_fixed_batch(step, FixedBatchRequest{1024, 2000, 1, 131072, 1});
  EXPECT_EQ(r.prefill_steps, 16);
  Batch b;
  b.prefill.push_back({64, 2000, 2000, true});
  EXPECT_NEAR(r.ttft, 16 * step.time(b), 1e-9 * r.ttft);
  // Prompts longer than a rank's budget: chunks of 4,096, one prompt per
  // rank at a time: 64 prompts of 10,000 tokens = 2 rounds x 3 chunks.
  FixedBatchResult lr = run_fixed_batch(step, FixedBatchRequest{64, 10000, 1, 131072, 1});
  EXPECT_EQ(lr.prefill_steps, 6);
}

// In serving the same split holds: a wide-EP replica is one scheduler per
// attention-DP rank (each with max_tokens / ranks); a TP replica is one.
TEST(WideEp, ServingReplicaSchedulesPerRank) {
  ChipSpec chip = load_chip("h200-sxm");
  ModelSpec m = load_model("deepseek-v3");
  Precision p = load_precision("fp8");
  auto deploy = [&](const StepOptions& o) {
    return make_deployment(std::make_shared<StepModel>(chip, m, p, o), 8, EngineConfig{});
  };
  EXPECT_EQ(deploy(wide_ep(8)).cluster.engine.attention_ranks, 8);
  StepOptions two = wide_ep(8);
  two.attn_tp = 2;
  EXPECT_EQ(deploy(two).cluster.engine.attention_ranks, 4);
  EXPECT_EQ(deploy(StepOptions{8, 1, 8}).cluster.engine.attention_ranks, 1);
}

// A rank's own batch (Batch::group_tokens) costs what the busiest share of
// a group batch of the same per-rank shape costs.
TEST(WideEp, RankBatchCostsLikeTheGroupsBusiestShare) {
  StepModel step(load_chip("h200-sxm"), load_model("deepseek-v3"), load_precision("fp8"),
                 wide_ep(8));
  Batch rank = decode_batch(32, 2048);
  rank.group_tokens = 256;
  EXPECT_DOUBLE_EQ(step.time(rank), step.time(decode_batch(256, 2048)));
}

TEST(WideEp, StepIsNeverFasterThanStreamingTheRanksWeights) {
  ChipSpec chip = load_chip("h200-sxm");
  ModelSpec m = load_model("deepseek-v3");
  Precision p = load_precision("fp8");
  for (int ep : {8, 16, 32}) {
    StepModel step(chip, m, p, wide_ep(ep));
    // 64 tokens per rank x 8 experts each touch all 256 experts.
    StepResult r = step.evaluate(decode_batch(64 * ep, 2048));
    MemoryBudget b = memory_budget(chip, m, p, ParallelPlan{ep, 1, ep, 1, true}, 0, 0);
    // Every weight of the rank but the embedding table (gathered, not streamed).
    const double streamed =
        b.weights - double(parameter_counts(m).embedding) * p.lm_head.bytes_per_element();
    const int main_level = static_cast<int>(chip.memory.size()) - 1;
    EXPECT_GE(r.total.bytes[main_level], 0.99 * streamed) << ep;
    EXPECT_GE(r.total.time, streamed / chip.main_memory().bandwidth) << ep;
  }
}

TEST(WideEp, MoreSequencesAreNeverFaster) {
  StepModel step(load_chip("b200"), load_model("deepseek-v3"), load_precision("fp8"), wide_ep(8));
  double prev = 0;
  for (int64_t b : {1, 8, 9, 64, 256, 257, 1024}) {
    double t = step.time(decode_batch(b, 2048));
    EXPECT_GE(t, prev) << b;
    prev = t;
  }
}

TEST(WideEp, PlansAreEnumeratedForMoeModelsOnly) {
  auto wide = [](const std::vector<ParallelPlan>& plans) {
    std::vector<ParallelPlan> w;
    std::copy_if(plans.begin(), plans.end(), std::back_inserter(w),
                 [](const ParallelPlan& p) { return p.attention_dp; });
    return w;
  };
  ModelSpec ds = load_model("deepseek-v3");
  for (int count : {8, 16, 32}) {
    auto w = wide(enumerate_plans(ds, count));
    EXPECT_NE(std::find(w.begin(), w.end(), ParallelPlan{count, 1, count, 1, true}), w.end())
        << count;
    for (const auto& p : w) {
      EXPECT_EQ(p.tp, p.ep);
      EXPECT_EQ(p.chips(), count);
      EXPECT_NO_THROW(check_plan(p, ds)) << p.to_string();
    }
  }
  // Mixtral has 8 experts: groups of 2, 4 and 8, never 16.
  auto mix = wide(enumerate_plans(load_model("mixtral-8x7b"), 16));
  EXPECT_FALSE(mix.empty());
  for (const auto& p : mix) EXPECT_LE(p.ep, 8) << p.to_string();
  EXPECT_TRUE(wide(enumerate_plans(load_model("llama3.1-70b"), 16)).empty());
  EXPECT_EQ((ParallelPlan{8, 1, 8, 1, true}).to_string(), "tp8 pp1 ep8 dp1 attn-dp");
  EXPECT_EQ((ParallelPlan{8, 1, 8, 1}).to_string(), "tp8 pp1 ep8 dp1");
}

TEST(WideEp, InvalidPlansNameTheFlag) {
  auto message = [](const ParallelPlan& p, const char* model) {
    try {
      check_plan(p, load_model(model));
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({2, 1, 2, 1, true}, "llama3.1-8b").find("--attention-dp needs a mixture"),
            std::string::npos);
  std::string mismatch = message({8, 1, 4, 1, true}, "mixtral-8x7b");
  EXPECT_NE(mismatch.find("--ep must equal --tp"), std::string::npos) << mismatch;
  EXPECT_NE(mismatch.find("--tp 8 --ep 8 --attention-dp"), std::string::npos) << mismatch;
  EXPECT_NE(message({1, 1, 1, 1, true}, "mixtral-8x7b").find("at least 2"), std::string::npos);
  EXPECT_NE(message({16, 1, 16, 1, true}, "mixtral-8x7b").find("does not divide the 8 experts"),
            std::string::npos);
  EXPECT_EQ(message({4, 1, 4, 1, true}, "mixtral-8x7b"), "no error");
  // Heads are not split under attention DP: 128 ranks suit Qwen3-235B's 128
  // experts though its 64 heads refuse tensor parallelism of 128.
  EXPECT_EQ(message({128, 1, 128, 1, true}, "qwen3-235b-a22b"), "no error");
  EXPECT_NE(message({128, 1, 128, 1}, "qwen3-235b-a22b").find("--tp 128 does not divide"),
            std::string::npos);
}

// Attention tensor-parallel inside the attention-DP ranks (attn_tp): 8 chips
// as 4 ranks of 2. Hand-checked against the attn_tp = 1 group.
TEST(WideEp, AttentionTpSplitsTheRanksHeadsAndHalvesEachChipsDispatch) {
  ChipSpec chip = load_chip("h200-sxm");
  ModelSpec m = load_model("deepseek-v3");
  Precision p = load_precision("fp8");
  StepOptions two = wide_ep(8);
  two.attn_tp = 2;
  EXPECT_EQ(two.plan().attention_ranks(), 4);
  EXPECT_EQ(two.plan().attention_tp(), 2);
  EXPECT_EQ(two.plan().to_string(), "tp8 pp1 ep8 dp1 attn-dp attn-tp2");
  StepModel split(chip, m, p, two);
  StepModel whole(chip, m, p, wide_ep(8));
  // Batch 256 over 4 ranks: each rank's 64 sequences, heads halved over its
  // 2 chips, cost what a tp-2 replica pays at batch 64 for attention.
  StepOptions tp2{2};
  StepModel pair(chip, m, p, tp2);
  StepResult rs = split.evaluate(decode_batch(256, 4096));
  StepResult rp = pair.evaluate(decode_batch(64, 4096));
  for (const char* op : {"attention_decode", "o_proj", "attn_allreduce"}) {
    EXPECT_DOUBLE_EQ(op_cost(rs, "moe_layer", op).time, op_cost(rp, "moe_layer", op).time) << op;
  }
  // Each chip dispatches half of its rank's 64 tokens: 32, as at attn_tp 1.
  SystemSpec sys = standard_system(chip, 8);
  EXPECT_DOUBLE_EQ(op_cost(rs, "moe_layer", "moe_dispatch").time,
                   expert_exchange(sys, 8, 32, *m.moe, 7168, 1.0).cost.time);
  StepResult rw = whole.evaluate(decode_batch(256, 4096));
  EXPECT_DOUBLE_EQ(op_cost(rs, "moe_layer", "moe_dispatch").time,
                   op_cost(rw, "moe_layer", "moe_dispatch").time);
  // The MoE output (routed slices + shared-expert partials) is all-reduced
  // over the rank's 2 chips; the experts' rows are the group's, unchanged.
  EXPECT_TRUE(has_op(rs, "mlp_allreduce"));
  EXPECT_DOUBLE_EQ(op_cost(rs, "moe_layer", "experts_up").flops,
                   op_cost(rw, "moe_layer", "experts_up").flops);
  // Memory: non-routed weights halve, routed stay E/ep; MLA's latent is
  // replicated on both chips of a rank that holds twice the sequences.
  const double routed = routed_expert_bytes(m, p), rest = weight_bytes(m, p) - routed;
  MemoryBudget b2 = memory_budget(chip, m, p, two.plan(), 64 * 4096, 128);
  MemoryBudget b1 = memory_budget(chip, m, p, wide_ep(8).plan(), 32 * 4096, 64);
  EXPECT_NEAR(b2.weights, rest / 2 + routed / 8, 1.0);
  EXPECT_DOUBLE_EQ(b2.kv_cache, 2 * b1.kv_cache);
}

TEST(WideEp, AttentionTpPlansAndErrors) {
  ModelSpec qwen = load_model("qwen3-235b-a22b");
  const auto plans = enumerate_plans(qwen, 8);
  for (int at : {1, 2, 4}) {
    ParallelPlan want{8, 1, 8, 1, true, 1, at};
    EXPECT_NE(std::find(plans.begin(), plans.end(), want), plans.end()) << at;
  }
  EXPECT_EQ(std::find(plans.begin(), plans.end(), ParallelPlan{8, 1, 8, 1, true, 1, 8}),
            plans.end());
  auto message = [&](const ParallelPlan& p) {
    try {
      check_plan(p, qwen);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({8, 1, 8, 1, true, 1, 4}), "no error");
  EXPECT_EQ(message({8, 1, 8, 1, true, 1, 8}),
            "--attention-tp 8 must divide --ep 8 and leave at least two attention-DP ranks; "
            "valid: 1, 2, 4");
  EXPECT_NE(message({8, 1, 8, 1, false, 1, 2}).find("it needs --attention-dp"), std::string::npos);
  // 12 ranks x attn_tp 3: 3 divides the group but not Qwen3-235B's 64 heads.
  EXPECT_EQ(message({12, 1, 12, 1, true, 1, 3}),
            "--attention-tp 3 does not divide the 64 attention heads of qwen3-235b-a22b; valid: "
            "1, 2, 4");
}

}  // namespace
}  // namespace cw
