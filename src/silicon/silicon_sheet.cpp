#include "silicon/silicon_sheet.hpp"

#include <algorithm>

#include "config/error.hpp"

namespace cw {

SiliconSheet silicon_sheet(const ChipSpec& chip, const SheetOptions& o) {
  SiliconSheet s;
  s.chip_id = chip.id;
  s.chip_name = chip.name;
  s.node_overridden = !o.node.empty();
  s.node = s.node_overridden ? load_node(o.node) : node_for_process(chip.die.process, chip.id);
  const Economics e = o.economics ? *o.economics : load_economics();
  s.declared_area_mm2 = chip.die.area_mm2;
  s.area = estimate_area(chip, s.node, o.area);
  s.chiplets_needed = chiplets_needed(s.area, chip, o.area);
  // A declared area describes the die on its own process only.
  const double declared = s.node_overridden ? 0 : chip.die.area_mm2 / std::max(1, chip.die.dies);
  s.fits_reticle = fits_reticle(s.area, declared);
  if (!s.fits_reticle) {
    try {
      check_reticle(s.area, chip, s.node, o.area, declared);
    } catch (const UserError& err) {
      if (!o.allow_reticle_overflow) throw;
      s.reticle_message = err.what();
    }
  }
  s.energy = energy_table(chip, s.node, s.area.total_mm2);
  s.power = check_tdp(chip, s.energy);
  s.cost = unit_cost(chip, s.area, s.node, e);
  s.tco = tco_per_chip(s.cost.unit_cost, chip.power.tdp, e, o.tco);
  return s;
}

}  // namespace cw
