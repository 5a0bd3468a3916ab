// Energy and cost of a run of a workload on a chip: J per output token,
// average power per chip and $ per million output tokens from the TCO. One
// implementation for every command: eval/compare price a fixed batch,
// serve/mlperf a serving simulation. Contract: pure apart from reading
// data/economics.yaml and the chip's node; a chip that cannot be costed gets
// `unavailable` set instead of an error.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "engine/fixed_batch.hpp"
#include "engine/parallel_plan.hpp"
#include "hardware/chip_spec.hpp"
#include "silicon/economics.hpp"
#include "silicon/silicon_sheet.hpp"

namespace cw {

struct WorkloadEconomics {
  SiliconSheet sheet;           // area, unit cost, energy table, TCO per chip-hour
  Economics economics;          // the assumptions the TCO used
  double joules_per_token = 0;  // accelerator energy per output token (all chips)
  double average_power_w = 0;   // per chip over the run
  double dollars_per_mtok = 0;  // TCO $ per million output tokens
  std::string unavailable;      // why there are no figures (e.g. no process node); else empty
  bool available() const { return unavailable.empty(); }
};

// The chip's silicon sheet (its energy table prices the run's steps); no run
// figures yet. A chip with a market price (ChipSpec::price) is bought at that
// price; a custom design is costed from its modelled silicon.
WorkloadEconomics chip_economics(const ChipSpec& chip);

// Fills the run figures of `w` (no-op when unavailable): `joules` is the
// accelerator energy of all `chips` chips over `seconds`, which produced
// `output_tokens`. J/token = joules / tokens; W per chip = joules / (chips ×
// seconds); $/Mtok from the TCO at that power (silicon.md §6).
void price_run(WorkloadEconomics& w, const ChipSpec& chip, double joules, double seconds, int chips,
               double output_tokens);

// price_run for a fixed batch (engine/fixed_batch.hpp) on `plan`: the first
// prefill iteration's energy times the prefill iterations, the mid-context
// decode iteration's times the decode iterations (iterations run back to back,
// so static power counts over their time). Step costs are one shard's, so a
// replica's tp chips spend tp times that, and dp replicas dp times more.
void price_fixed_batch(WorkloadEconomics& w, const ChipSpec& chip, Dtype dtype,
                       const ParallelPlan& plan, const FixedBatchResult& r);

// {"joules_per_token", "average_power_w", "dollars_per_million_tokens",
//  "die_area_mm2", "unit_cost_dollars", "chip_price_dollars"}, or null when
// unavailable.
nlohmann::json to_json(const WorkloadEconomics& w);

}  // namespace cw
