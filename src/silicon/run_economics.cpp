#include "silicon/run_economics.hpp"

#include <nlohmann/json.hpp>

#include "config/error.hpp"
#include "silicon/energy_model.hpp"
#include "silicon/tco.hpp"

namespace cw {

WorkloadEconomics chip_economics(const ChipSpec& chip) {
  WorkloadEconomics w;
  SheetOptions opts;
  opts.allow_reticle_overflow = true;  // report, the sheet says so
  w.economics = load_economics();
  opts.economics = w.economics;
  try {
    w.sheet = silicon_sheet(chip, opts);
  } catch (const UserError& err) {
    w.unavailable = err.what();
  }
  return w;
}

void price_run(WorkloadEconomics& w, const ChipSpec& chip, double joules, double seconds, int chips,
               double output_tokens) {
  if (!w.available()) return;
  if (!(seconds > 0) || chips < 1 || !(output_tokens > 0) || !(joules >= 0))
    throw InternalError("a priced run needs time, chips and tokens > 0 and energy >= 0");
  w.joules_per_token = joules / output_tokens;
  w.average_power_w = joules / (seconds * chips);
  TcoInputs in;
  in.chip_price = chip.price;
  in.chip_power_w = w.average_power_w;
  w.sheet.tco = tco_per_chip(w.sheet.cost.unit_cost, chip.power.tdp, w.economics, in);
  w.dollars_per_mtok =
      dollars_per_million_tokens(w.sheet.tco, chips, output_tokens / seconds, w.economics);
}

void price_fixed_batch(WorkloadEconomics& w, const ChipSpec& chip, Dtype dtype,
                       const ParallelPlan& plan, const FixedBatchResult& r) {
  if (!w.available()) return;
  const double shard_j =
      energy_of(r.prefill.total, dtype, w.sheet.energy) * static_cast<double>(r.prefill_steps) +
      energy_of(r.decode.total, dtype, w.sheet.energy) * static_cast<double>(r.decode_steps);
  price_run(w, chip, shard_j * plan.tp * plan.dp, r.e2e, plan.chips(),
            r.output_tokens_per_s * r.e2e);
}

nlohmann::json to_json(const WorkloadEconomics& w) {
  if (!w.available()) return nullptr;
  return {{"joules_per_token", w.joules_per_token},
          {"average_power_w", w.average_power_w},
          {"dollars_per_million_tokens", w.dollars_per_mtok},
          {"die_area_mm2", w.sheet.area.total_mm2},
          {"unit_cost_dollars", w.sheet.cost.unit_cost},
          {"chip_price_dollars", w.sheet.tco.chip_price}};
}

}  // namespace cw
