// The silicon sheet of a chip: area per block, reticle check, power, yield,
// die, package and unit cost, and TCO per chip-hour, on the chip's own process
// or re-targeted to another node (`chipwright silicon --chip ID [--node sf2]`).
// Re-targeting keeps the spec (cores, clocks, capacities, bandwidths) and
// re-sizes and re-prices it with the other node's densities, energies and
// wafer economics. Contract: throws cw::UserError for unknown nodes, a process
// with no node data, or (unless allowed) a die over the reticle.
#pragma once

#include <optional>
#include <string>

#include "hardware/chip_spec.hpp"
#include "silicon/area_model.hpp"
#include "silicon/economics.hpp"
#include "silicon/energy_model.hpp"
#include "silicon/packaging.hpp"
#include "silicon/process_node.hpp"
#include "silicon/tco.hpp"

namespace cw {

struct SheetOptions {
  std::string node;                     // "" = the chip's die.process; else id, alias or path
  std::optional<Economics> economics;   // absent = data/economics.yaml
  AreaParams area;                      // block constants (defaults in area_model.cpp)
  TcoInputs tco;                        // chip price / workload power overrides
  bool allow_reticle_overflow = false;  // true: report instead of throwing
};

struct SiliconSheet {
  std::string chip_id;
  std::string chip_name;
  ProcessNode node;
  bool node_overridden = false;
  double declared_area_mm2 = 0;  // die.area from the spec, all dies (0 = not published)
  AreaBreakdown area;            // modelled
  int chiplets_needed = 1;       // identical dies the modelled area needs to fit the reticle
  bool fits_reticle = true;      // fits_reticle(area, declared per-die area)
  std::string reticle_message;   // why it does not fit (allow_reticle_overflow only)
  EnergyTable energy;
  TdpCheck power;
  UnitCost cost;
  Tco tco;
};

SiliconSheet silicon_sheet(const ChipSpec& chip, const SheetOptions& options = {});

}  // namespace cw
