// Die area from a chip spec, block by block (../shared/reference/silicon.md
// §1.3 explains why transistors / density misses real dies by ~30%): matrix
// units by datatype, vector lanes, per-core control, SRAM by capacity, spare
// cores, NoC and control overhead, HBM PHYs, SerDes, die-to-die links, I/O.
// Logic blocks are written at TSMC N7 and scaled by the node's logic density;
// SRAM uses the node's product-level density; PHYs and SerDes do not scale.
// The same code sizes A100, H100 and a hypothetical design (DESIGN.md
// principle 4). Contract: pure; bad specs throw cw::UserError.
#pragma once

#include <string>
#include <vector>

#include "hardware/chip_spec.hpp"
#include "silicon/process_node.hpp"

namespace cw {

// Block constants at TSMC N7. Defaults and their sources: area_model.cpp and
// docs/silicon-model.md. A design study may override any of them.
struct AreaParams {
  double mac_mm2 = 1.2e-3;               // one 16-bit-float MAC of a matrix array
  double format_overhead = 0.10;         // extra area per additional datatype class
  double vector_lane_mm2 = 3.24e-3;      // one FP32 FMA lane with its integer ALU
  double core_fixed_mm2 = 2.9;           // per core: control, register file, L1 tags, LSU
  double spare_fraction = 0.10;          // spare cores for harvesting, fraction of cores
  double noc_fraction = 0.20;            // NoC, clocking, power, test: fraction of cores + SRAM
  double hbm_phy_mm2 = 10.45;            // per 1024-bit HBM stack, analog: does not scale
  double hbm_controller_mm2 = 5.74;      // per stack at N7, scales with logic density
  double dram_phy_mm2_per_gbs = 0.0566;  // non-HBM DRAM PHY per GB/s
  double serdes_mm2_per_gbs = 0.0386;    // chip-to-chip SerDes per GB/s each direction
  double d2d_mm2_per_gbs = 1.586e-3;     // UCIe-advanced die-to-die PHY per GB/s
  double host_io_mm2 = 10.24;            // PCIe 5.0 x16 host interface
  double misc_io_mm2 = 5.0;              // PLLs, fuses, JTAG, sensors, power management
};

struct AreaBlock {
  std::string name;   // "matrix units", "SRAM (chip)", ...
  double mm2 = 0;     // whole chip (all dies)
  std::string basis;  // how it was sized, e.g. "110.6k bf16 MAC-eq x 5.8e-4 mm² (N7) x 1.1 formats"
};

struct AreaBreakdown {
  std::string node_id;
  std::vector<AreaBlock> blocks;  // in a fixed order; sums to total_mm2
  double total_mm2 = 0;           // all dies together
  int dies = 1;
  double per_die_mm2 = 0;  // total / dies (dies are taken as identical)
  double reticle_mm2 = 0;
  bool fits_reticle = true;  // per_die_mm2 <= reticle_mm2 (model only; see fits_reticle())
  int cores = 0;             // enabled cores (from the spec)
  int spare_cores = 0;       // extra cores built for harvesting
  double core_mm2 = 0;       // all cores incl. spares and their local SRAM (repairable)
  double chip_sram_mm2 = 0;  // chip-scope on-chip SRAM arrays
  double sram_mib = 0;       // all on-chip SRAM, MiB
  double area_of(const std::string& block) const;  // 0 when absent
};

// Sizes `chip` on `node`. Never throws for a reticle overflow (fits_reticle
// says so); throws a UserError for a spec the model cannot size (no clock,
// no matrix peaks).
AreaBreakdown estimate_area(const ChipSpec& chip, const ProcessNode& node,
                            const AreaParams& params = {});

// Smallest number of identical chiplets, each with die-to-die links, whose
// per-die area fits the reticle (1 if it already fits).
int chiplets_needed(const AreaBreakdown& area, const ChipSpec& chip, const AreaParams& params = {});

// Accuracy the area model is validated to (A100 and H100, tests/silicon/area_test.cpp).
inline constexpr double kAreaModelAccuracy = 0.10;

// True when the die fits: the modelled per-die area is within the reticle, or a
// declared per-die area (die.area / dies, on the chip's own node; 0 = none) fits
// and the model is within its accuracy of it (the H100's published 814 mm² fits
// although the model says ~860).
bool fits_reticle(const AreaBreakdown& area, double declared_per_die_mm2 = 0);

// Throws a UserError when a die does not fit (as fits_reticle), suggesting a
// split into the number of chiplets that would.
void check_reticle(const AreaBreakdown& area, const ChipSpec& chip, const ProcessNode& node,
                   const AreaParams& params = {}, double declared_per_die_mm2 = 0);

}  // namespace cw
