#include "engine/workload_run.hpp"

#include "engine/step_model.hpp"

namespace cw {

MemoryBudget fixed_workload_budget(const ChipSpec& chip, const ModelSpec& model,
                                   const Precision& precision, const ParallelPlan& plan,
                                   const FixedWorkload& w) {
  const int64_t per_replica = (w.batch + plan.dp - 1) / plan.dp;
  const int64_t step_tokens = std::min(w.max_tokens, per_replica * w.input);
  // Under attention DP: the busiest rank's own sequences and its share of the
  // step's tokens.
  const int64_t sequences = plan.per_attention_rank(per_replica);
  const int64_t context = w.input + w.output + w.speculation.draft_tokens;
  MemoryBudget b = memory_budget(chip, model, precision, plan, sequences * context,
                                 plan.per_attention_rank(step_tokens),
                                 sequences * model.window_tokens_held(context));
  const MemoryBudget draft =
      drafter_budget(chip, w.speculation, model, precision, plan, sequences * context);
  b.weights += draft.weights;
  b.kv_cache += draft.kv_cache;
  return b;
}

int largest_tp(const ModelSpec& model, int max_tp) {
  int tp = 1;
  while (2 * tp <= max_tp && model.heads % (2 * tp) == 0) tp *= 2;
  return tp;
}

int smallest_fitting_tp(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                        ParallelPlan plan, const FixedWorkload& w, int max_tp) {
  const int largest = largest_tp(model, max_tp);
  for (; plan.tp <= largest; plan.tp *= 2)
    if (fixed_workload_budget(chip, model, precision, plan, w).fits()) return plan.tp;
  return 0;
}

FixedBatchResult run_fixed_workload(const ChipSpec& chip, const ModelSpec& model,
                                    const Precision& precision, const ParallelPlan& plan,
                                    const FixedWorkload& w) {
  StepOptions options = StepOptions::for_plan(plan);
  options.overlap = w.overlap;
  options.routing_skew = w.routing_skew;
  options.speculation = w.speculation;
  StepModel step(chip, model, precision, options);
  return run_fixed_batch(step,
                         FixedBatchRequest{w.batch, w.input, w.output, w.max_tokens, plan.dp});
}

}  // namespace cw
