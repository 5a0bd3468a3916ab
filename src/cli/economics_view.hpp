// Energy and cost of an evaluated workload on a chip: J/token from the op
// costs and the chip's energy table, $ per million tokens from the TCO.
#pragma once

#include "cli/eval_setup.hpp"
#include "silicon/silicon_sheet.hpp"

namespace cw::cli {

struct WorkloadEconomics {
  SiliconSheet sheet;          // area, unit cost, energy table, TCO per chip-hour
  double joules_per_token = 0; // accelerator energy per output token (all chips)
  double average_power_w = 0;  // per chip while serving this workload
  double dollars_per_mtok = 0; // TCO $ per million output tokens
  std::string unavailable;     // why there are no figures (e.g. no process node); else empty
};

// A chip with a market price (ChipSpec::price) is bought at that price; a
// custom design is costed from its modelled silicon. A chip the silicon model
// cannot cost (no process node) gets `unavailable` set instead of an error.
WorkloadEconomics workload_economics(const Evaluation& e);

}  // namespace cw::cli
