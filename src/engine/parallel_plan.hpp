// How a model is spread over chips: tensor (tp), pipeline (pp), expert (ep)
// and data (dp, replicas) parallelism. count = tp × pp × dp; expert
// parallelism shards the routed experts of each MoE layer over `ep` ranks of
// the tensor-parallel group (ep divides tp; each expert's FFN is then split
// tp/ep ways), as TensorRT-LLM's moe_ep × moe_tp = tp.
// With attention_dp (wide expert parallelism: SGLang's DP attention + EP,
// TensorRT-LLM's attention DP + wide EP, DeepEP) the group of tp = ep chips
// runs attention, dense layers, shared experts and the LM head
// data-parallel (each rank holds them whole and serves 1/ep of the
// sequences with their KV cache) and shards the routed experts E/ep whole
// experts per rank; tokens reach their experts by an all-to-all dispatch and
// return by an all-to-all combine. With attn_tp > 1 each attention-DP rank
// is itself attn_tp chips running attention (and the dense layers, shared
// experts, LM head) tensor-parallel: ep / attn_tp ranks (SGLang's
// --enable-dp-attention with dp-size < tp-size).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workload/model_spec.hpp"

namespace cw {

struct ParallelPlan {
  int tp = 1;
  int pp = 1;
  int ep = 1;
  int dp = 1;
  bool attention_dp = false;  // attention data-parallel over the ep = tp group
  // Context parallelism: each prompt's tokens are split over cp groups of tp
  // chips (ring attention passes the KV around them); each group holds the
  // weights of its tp shard and 1/cp of every sequence's KV cache.
  int cp = 1;
  // Under attention DP: chips per attention-DP rank, which split attention
  // heads, dense FFNs, shared experts and the LM head among themselves.
  int attn_tp = 1;
  // Expert placement over the ep ranks (engine/expert_load.hpp): EPLB's
  // balanced packing by expert load instead of E/ep consecutive experts per
  // rank, with `redundant_experts` extra copies of the heaviest experts
  // (each rank then holds (E + redundant) / ep expert copies).
  bool eplb = false;
  int redundant_experts = 0;
  int chips() const { return tp * pp * cp * dp; }
  int moe_tp() const { return tp / ep; }  // ways each expert's FFN is split
  // Ways attention, dense FFNs, shared experts and the LM head are split.
  int attention_tp() const { return attention_dp ? attn_tp : tp; }
  // Ranks that hold disjoint sequences within one replica (ep / attn_tp under
  // attention DP, else 1), and the busiest one's share of n sequences or tokens.
  int attention_ranks() const { return attention_dp ? ep / attn_tp : 1; }
  int64_t per_attention_rank(int64_t n) const {
    return (n + attention_ranks() - 1) / attention_ranks();
  }
  // "tp4 pp2 ep1 dp1", "tp8 pp1 ep8 dp1 attn-dp", "tp8 pp1 ep8 dp1 attn-dp attn-tp2",
  // "tp4 pp1 ep1 dp1 cp2", "tp8 pp1 ep8 dp1 attn-dp eplb+32"
  std::string to_string() const;
  bool operator==(const ParallelPlan&) const = default;
};

// Throws UserError when the plan cannot run the model: degrees < 1, tp not
// dividing the attention heads, pp above the layer count, ep not dividing tp
// or the expert count, ep > 1 on a dense model, attention_dp on a dense model
// or with ep != tp or ep < 2, attn_tp without attention_dp or not a proper
// divisor of ep and of the heads, cp > 1 with attention DP, pipeline stages or on
// an MLA model, eplb without ep >= 2, redundant experts without eplb, negative,
// above E·(ep − 1) or leaving E + redundant not a multiple of ep.
// The message names the flag and suggests valid values.
void check_plan(const ParallelPlan& plan, const ModelSpec& model);

// Every valid plan using exactly `count` chips (tp, pp and ep powers of two
// or divisors as the model allows), in a fixed order; for a MoE model also
// the attention-DP plans (tp = ep a power of two from 2 dividing the experts,
// and attn_tp a power of two below ep dividing the heads);
// for a model without MLA also context-parallel plans (cp a power of two from
// 2, with pp = 1 and ep = 1).
std::vector<ParallelPlan> enumerate_plans(const ModelSpec& model, int count);

}  // namespace cw
