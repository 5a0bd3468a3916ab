// Per-chip memory budget of a deployment: sharded weights, KV cache and
// activation workspace against the main memory's capacity.
#pragma once

#include <cstdint>
#include <string>

#include "engine/parallel_plan.hpp"
#include "hardware/chip_spec.hpp"
#include "workload/model_spec.hpp"
#include "workload/precision.hpp"

namespace cw {

struct MemoryBudget {
  double capacity = 0;     // bytes of main memory per chip
  double weights = 0;      // bytes per chip
  double kv_cache = 0;     // bytes per chip
  double activations = 0;  // peak workspace per chip
  double used() const { return weights + kv_cache + activations; }
  bool fits() const { return used() <= capacity; }
};

// `cached_tokens`: tokens held in the KV cache of one replica at peak (sum
// over its sequences); `step_tokens`: most tokens one iteration processes.
// Weights and KV are split over tp × pp chips (pipeline stages hold 1/pp of
// the layers).
MemoryBudget memory_budget(const ChipSpec& chip, const ModelSpec& model,
                           const Precision& precision, int tp, int64_t cached_tokens,
                           int64_t step_tokens, int pp = 1);

// Any plan (dp is ignored: one replica). Under attention DP `cached_tokens`
// and `step_tokens` are one rank's own (its share of the sequences): every
// rank holds the attention, dense, shared-expert, embedding and LM-head
// weights (split over its attn_tp chips) and E/ep of the routed experts
// ((E + R)/ep with R redundant EPLB copies). Under context parallelism
// they are the replica's, and each chip holds 1/cp of the KV cache and of
// the step's tokens (weights are replicated over the cp groups).
// `window_tokens`: tokens the sliding-window (or chunked) layers hold,
// summed over the sequences, each at most a window (ModelSpec::
// window_tokens_held); `cached_tokens` counts the full-attention layers'.
MemoryBudget memory_budget(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                           const ParallelPlan& plan, int64_t cached_tokens, int64_t step_tokens,
                           int64_t window_tokens = 0);

// Throws a UserError saying by how much the deployment overflows and what
// would make it fit (more chips, lower precision, smaller batch).
void require_fits(const MemoryBudget& budget, const ChipSpec& chip, const ModelSpec& model,
                  const Precision& precision, int tp);

}  // namespace cw
