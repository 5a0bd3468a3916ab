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

namespace cw {

// Expected number of distinct ranks a token's k experts live on when it picks
// k of E experts uniformly without repetition and the ep ranks hold E/ep each:
// ep · (1 − C(E − E/ep, k) / C(E, k)) (hypergeometric: the chance a rank holds
// none of the k). k when every rank holds one expert; 1 on one rank.
double ranks_per_token(int64_t experts, int64_t experts_per_token, int ep);

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
// dividing `experts`, whole domains when wider than one; throws UserError as
// collective() does.
CollectiveResult expert_exchange(const SystemSpec& system, int ep, int64_t tokens, int64_t experts,
                                 int64_t experts_per_token, int64_t hidden, double element_bytes);

}  // namespace cw
