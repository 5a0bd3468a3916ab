#include "cli/economics_view.hpp"

#include <fmt/core.h>

#include "silicon/energy_model.hpp"

namespace cw::cli {

WorkloadEconomics workload_economics(const Evaluation& e) {
  WorkloadEconomics w = chip_economics(e.chip);
  if (!w.available()) return w;
  const Dtype dtype = e.precision.dense_mlp.compute_dtype();
  const FixedBatchResult& r = e.result;
  // Energy of one replica's run: the first prefill iteration's cost times the
  // prefill iterations, the mid-context decode iteration's cost times the
  // decode iterations (iterations run back to back, so static power counts
  // over their time). Step costs are those of one tensor-parallel shard over
  // all layers, so the replica's chips together spend tp times that.
  const double shard_j = energy_of(r.prefill.total, dtype, w.sheet.energy) *
                             static_cast<double>(r.prefill_steps) +
                         energy_of(r.decode.total, dtype, w.sheet.energy) *
                             static_cast<double>(r.decode_steps);
  const double total_j = shard_j * e.plan.tp * e.plan.dp;
  price_run(w, e.chip, total_j, r.e2e, e.plan.chips(), r.output_tokens_per_s * r.e2e);
  return w;
}

void print_economics(const WorkloadEconomics& w) {
  if (!w.available()) {
    fmt::print("  energy       (no silicon figures: {})\n", w.unavailable);
    return;
  }
  fmt::print("  energy       {:.3f} J/token ({:.0f} W per chip)\n", w.joules_per_token,
             w.average_power_w);
  fmt::print("  cost         ${:.3f} per million output tokens\n", w.dollars_per_mtok);
}

}  // namespace cw::cli
