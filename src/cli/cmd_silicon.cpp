#include <fmt/core.h>

#include "api/preset_reports.hpp"
#include "cli/commands.hpp"
#include "hardware/chip_loader.hpp"

namespace cw::cli {

void register_silicon(CLI::App& app) {
  auto* cmd = app.add_subcommand("silicon", "Area, power, yield and cost sheet of a chip");
  auto chip_id = std::make_shared<std::string>();
  auto node = std::make_shared<std::string>();
  auto overrides = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<OutputOptions>();
  cmd->add_option("--chip", *chip_id, "chip preset id or YAML path")->required();
  cmd->add_option("--node", *node, "re-target the design to this process node (e.g. samsung-sf2)");
  cmd->add_option("--set", *overrides, "override an economics assumption, e.g. --set tco.pue=1.1");
  add_format_option(*cmd, *out);
  cmd->callback([chip_id, node, overrides, out] {
    const ChipSpec chip = load_chip(*chip_id);
    const SiliconSheet s = silicon_sheet_for(chip, *node, *overrides);
    if (out->json()) {
      fmt::print("{}\n", silicon_json(s).dump(2));
      return;
    }
    fmt::print("{} on {}{}\n\narea\n", s.chip_name, s.node.id,
               s.node_overridden ? " (re-targeted)" : "");
    for (const auto& b : s.area.blocks) {
      fmt::print("  {:<22} {:>8.1f} mm2   {}\n", b.name, b.mm2, b.basis);
    }
    fmt::print("  {:<22} {:>8.1f} mm2   ({} die(s) of {:.0f} mm2; declared {:.0f} mm2)\n", "total",
               s.area.total_mm2, s.area.dies, s.area.per_die_mm2, s.declared_area_mm2);
    if (!s.fits_reticle) fmt::print("  ! {}\n", s.reticle_message);
    fmt::print("\npower\n  {}\n", s.power.message);
    fmt::print("\nyield and cost\n");
    fmt::print("  die yield {:.3f}, known-good die ${:.0f} x {}\n", s.cost.die_yield,
               s.cost.die_cost, s.cost.dies);
    fmt::print("  memory ${:.0f} ({:.0f} GB in {} stacks), package {} ${:.0f}\n",
               s.cost.memory_cost, s.cost.memory_gb, s.cost.memory_stacks, s.cost.package,
               s.cost.package_cost);
    fmt::print("  unit cost ${:.0f}\n", s.cost.unit_cost);
    fmt::print("\nTCO\n  chip price ${:.0f}{}; ${:.3f} per chip-hour (capex ${:.3f}, energy ${:.3f})\n",
               s.tco.chip_price, chip.price > 0 ? " (market)" : " (unit cost + design cost)",
               s.tco.per_chip_hour, s.tco.capex_per_hour, s.tco.energy_per_hour);
  });
}

}  // namespace cw::cli
