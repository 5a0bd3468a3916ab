#include "cli/economics_view.hpp"

#include "config/error.hpp"
#include "silicon/energy_model.hpp"
#include "silicon/tco.hpp"

namespace cw::cli {

WorkloadEconomics workload_economics(const Evaluation& e) {
  WorkloadEconomics w;
  SheetOptions opts;
  opts.allow_reticle_overflow = true;  // report, the sheet says so
  opts.economics = load_economics();
  try {
    w.sheet = silicon_sheet(e.chip, opts);
  } catch (const UserError& err) {
    w.unavailable = err.what();
    return w;
  }
  const Dtype dtype = e.precision.dense_mlp.dtype;
  const FixedBatchResult& r = e.result;
  // Energy of one replica's run: the first prefill iteration's cost times the
  // prefill iterations, the mid-context decode iteration's cost times the
  // decode iterations. Step costs are those of one tensor-parallel shard over
  // all layers, so the replica's chips together spend tp times that.
  const double shard_j = energy_of(r.prefill.total, dtype, w.sheet.energy) *
                             static_cast<double>(r.prefill_steps) +
                         energy_of(r.decode.total, dtype, w.sheet.energy) *
                             static_cast<double>(r.decode_steps);
  const double total_j = shard_j * e.plan.tp * e.plan.dp;
  const double tokens = r.output_tokens_per_s * r.e2e;
  w.joules_per_token = total_j / tokens;
  w.average_power_w = total_j / (r.e2e * e.plan.chips());
  TcoInputs in;
  in.chip_price = e.chip.price;
  in.chip_power_w = w.average_power_w;
  Tco tco = tco_per_chip(w.sheet.cost.unit_cost, e.chip.power.tdp, *opts.economics, in);
  w.sheet.tco = tco;
  w.dollars_per_mtok =
      dollars_per_million_tokens(tco, e.plan.chips(), r.output_tokens_per_s, *opts.economics);
  return w;
}

}  // namespace cw::cli
