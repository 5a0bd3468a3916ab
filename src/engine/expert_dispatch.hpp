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

// The all-to-all buffer one rank sends (nccl-tests' "size"): one hidden
// vector per token and chosen expert, tokens × k × hidden × element bytes;
// the 1/ep of it addressed to the rank's own experts stays local, so
// (ep − 1)/ep of it crosses links. No de-duplication of a token sent to two
// experts of one rank (an upper bound on DeepEP's traffic).
double expert_exchange_bytes(int64_t tokens, int64_t experts_per_token, int64_t hidden,
                             double element_bytes);

// One dispatch or combine: the system's tuned all_to_all over `ep` ranks of
// the buffer above. Contract: ep >= 2; throws UserError as collective() does.
CollectiveResult expert_exchange(const SystemSpec& system, int ep, int64_t tokens,
                                 int64_t experts_per_token, int64_t hidden, double element_bytes);

}  // namespace cw
