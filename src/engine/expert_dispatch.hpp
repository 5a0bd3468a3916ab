// Token exchange of wide expert parallelism (attention data-parallel, routed
// experts sharded over ep ranks): each MoE layer dispatches every token's
// hidden state to the ranks owning its top-k experts and combines their
// outputs back with an all-to-all each (DeepSeek-V3 technical report §3.4,
// inference and deployment; DeepEP; SGLang DP attention + EP; TensorRT-LLM
// wide EP).
#pragma once

#include <cstdint>

#include "hardware/system_spec.hpp"
#include "perf/collective.hpp"
#include "workload/model_spec.hpp"

namespace cw {

// Chance that a token's k experts include at least one of a block of `span`
// consecutive experts (a rank's E/ep, a node's): 1 − C(E − span, k)/C(E, k)
// when the k are uniform among all E (hypergeometric). Under group-limited
// routing (DeepSeek-V3's n_group / topk_group: the token first picks
// topk_group of n_group expert groups, which bounds the nodes it reaches,
// technical report §2.1.2) the k are uniform among the chosen groups'
// experts: a block inside one group is reached with chance
// (topk_group / n_group) · coverage within the chosen pool, a block of whole
// groups by the hypergeometric count of its groups chosen. Blocks that
// straddle groups fall back to uniform routing.
double hit_chance(const MoeSpec& moe, double span);

// Expected number of distinct ranks a token's experts live on when the ep
// ranks hold E/ep consecutive experts each: ep · hit_chance(E/ep). k when
// every rank holds one expert (no group limit); 1 on one rank.
double ranks_per_token(const MoeSpec& moe, int ep);

// The all-to-all buffer one rank sends (nccl-tests' "size"): one hidden
// vector per token and destination rank, as DeepEP sends a token once to
// each rank holding any of its experts (its dispatch layout's
// is_token_in_rank) and the combine returns one sum per rank:
// tokens × ranks_per_token × hidden × element bytes. The 1/ep of it addressed
// to the rank itself stays local, so (ep − 1)/ep of it crosses links.
double expert_exchange_bytes(int64_t tokens, double ranks_per_token, int64_t hidden,
                             double element_bytes);

// One dispatch or combine over `ep` ranks. Inside one scale-up domain (or on
// a torus): the system's all_to_all of the buffer above. Across domains, as
// DeepEP's internode kernels: each token crosses the network once per other
// node holding any of its experts and is forwarded over scale-up links to
// the hit ranks there (direct_exchange of those bytes). Contract: ep >= 2
// dividing the experts, whole domains when wider than one; throws UserError
// as collective() does.
CollectiveResult expert_exchange(const SystemSpec& system, int ep, int64_t tokens,
                                 const MoeSpec& moe, int64_t hidden, double element_bytes);

}  // namespace cw
