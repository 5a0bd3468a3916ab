#include "engine/memory_fit.hpp"

#include <cmath>

#include <fmt/core.h>

#include "config/error.hpp"
#include "workload/model_stats.hpp"

namespace cw {

MemoryBudget memory_budget(const ChipSpec& chip, const ModelSpec& model,
                           const Precision& precision, int tp, int64_t cached_tokens,
                           int64_t step_tokens, int pp) {
  return memory_budget(chip, model, precision, ParallelPlan{tp, pp, 1, 1}, cached_tokens,
                       step_tokens);
}

MemoryBudget memory_budget(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                           const ParallelPlan& plan, int64_t cached_tokens, int64_t step_tokens,
                           int64_t window_tokens) {
  MemoryBudget b;
  const int tp = plan.attention_tp();
  const int pp = plan.pp;
  b.capacity = chip.main_memory().capacity;
  const double routed = routed_expert_bytes(model, precision);
  if (plan.attention_dp) {
    // Everything but the routed experts is replicated on each attention-DP
    // rank and split over its attn_tp chips; routed experts over the ep chips.
    b.weights = ((weight_bytes(model, precision) - routed) / tp + routed / plan.ep) / pp;
  } else {
    b.weights = weight_bytes(model, precision) / (tp * pp);
  }
  // EPLB's redundant copies: each rank holds (E + R)/ep experts instead of E/ep.
  if (model.moe && plan.redundant_experts > 0) {
    const double copies = static_cast<double>(plan.redundant_experts) / model.moe->num_experts;
    b.weights += routed * copies / ((plan.attention_dp ? plan.ep : tp) * pp);
  }
  // KV heads are split across TP ranks until each rank holds one (then replicated).
  const double shards = model.mla ? 1.0 : std::min<double>(tp, static_cast<double>(model.kv_heads));
  const double kv =
      kv_cache_bytes_per_token(model, precision) * static_cast<double>(cached_tokens) +
      window_kv_bytes_per_token(model, precision) * static_cast<double>(window_tokens);
  b.kv_cache = kv / shards / (pp * plan.cp);
  step_tokens = (step_tokens + plan.cp - 1) / plan.cp;
  // Workspace: the widest intermediate of one step (the MLP up-projection
  // output, or a vocabulary-wide logits row in fp32), live twice over.
  const double act = dtype_bits(precision.activations) / 8.0;
  double widest = std::max<double>(model.intermediate, model.hidden) * 2.0 / tp;
  if (model.moe) {
    const double k = model.moe->experts_per_token;
    // Under attention DP a rank receives k rows per token of its own
    // (balanced routing) for whole experts, plus their k hidden vectors.
    widest = std::max<double>(widest, 2.0 * model.moe->expert_intermediate * k / tp);
    if (plan.attention_dp) widest = std::max<double>(widest, k * model.hidden);
  }
  b.activations = 2.0 * static_cast<double>(step_tokens) * widest * act;
  return b;
}

void require_fits(const MemoryBudget& b, const ChipSpec& chip, const ModelSpec& model,
                  const Precision& precision, int tp) {
  if (b.fits()) return;
  const double gb = 1e9;
  int chips_needed = static_cast<int>(std::ceil(b.used() * tp / b.capacity));
  throw UserError(fmt::format(
      "{} at precision {} does not fit on {} x {}: needs {:.1f} GB per chip (weights {:.1f} GB, "
      "KV cache {:.1f} GB, activations {:.1f} GB) but the chip has {:.1f} GB, {:.1f} GB short. "
      "Use more chips (about {} with --tp), a lower precision, or a smaller batch or context",
      model.id, precision.name, tp, chip.id, b.used() / gb, b.weights / gb, b.kv_cache / gb,
      b.activations / gb, b.capacity / gb, (b.used() - b.capacity) / gb, chips_needed));
}

}  // namespace cw
