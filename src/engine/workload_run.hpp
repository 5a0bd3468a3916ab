// A fixed batch of identical requests on one parallel plan (engine/
// fixed_batch.hpp): the memory it needs per chip and its run. One
// implementation for `eval`, `compare`, `plan` and design-space exploration.
// Contract: pure; a plan the model cannot run throws cw::UserError.
#pragma once

#include <cstdint>

#include "engine/fixed_batch.hpp"
#include "engine/memory_fit.hpp"
#include "engine/parallel_plan.hpp"
#include "engine/speculation.hpp"

namespace cw {

struct FixedWorkload {
  int64_t batch = 16;
  int64_t input = 1024;       // prompt tokens per request
  int64_t output = 256;       // generated tokens per request
  int64_t max_tokens = 8192;  // prefill tokens per iteration
  bool overlap = false;       // two-batch overlap (StepOptions::overlap)
  double routing_skew = 0;    // MoE expert popularity (StepOptions::routing_skew)
  Speculation speculation = {};  // speculative decoding (StepOptions::speculation)
};

// Per chip of one replica: weights, the KV cache of its share of the batch at
// the full context (plus k draft slots per sequence under speculation), the
// drafter's weights and KV cache, and the workspace of its largest prefill
// iteration.
MemoryBudget fixed_workload_budget(const ChipSpec& chip, const ModelSpec& model,
                                   const Precision& precision, const ParallelPlan& plan,
                                   const FixedWorkload& w);

// The largest power-of-two tensor-parallel degree up to max_tp that divides
// the model's heads (1 at least).
int largest_tp(const ModelSpec& model, int max_tp);

// The smallest power-of-two tensor-parallel degree from plan.tp up to
// largest_tp(model, max_tp) that holds the workload; 0 when none does.
int smallest_fitting_tp(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                        ParallelPlan plan, const FixedWorkload& w, int max_tp);

// Runs the batch on the plan (memory is not checked here).
FixedBatchResult run_fixed_workload(const ChipSpec& chip, const ModelSpec& model,
                                    const Precision& precision, const ParallelPlan& plan,
                                    const FixedWorkload& w);

}  // namespace cw
