#include "silicon/packaging.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "config/did_you_mean.hpp"
#include "config/error.hpp"
#include "silicon/yield.hpp"

namespace cw {
namespace {

// Interposer size limits in reticles (858 mm²), silicon.md §4:
//  CoWoS-S: 1.0 -> 3.3 reticles over a decade (~2,700 mm²) [P/S];
//  CoWoS-L: 3.5x (2025) -> 5x/5.5x -> 9.5x in 2027 [S]; 5.5 taken for 2026;
//  Samsung I-Cube/Cube-S (Si interposer) and Cube-E (embedded bridge): no sizes
//  published (I-Cube4 = 1 logic + 4 HBM) [ASSUMED: 3.0 and 5.5, as TSMC's classes].
constexpr PackageClass kClasses[] = {
    {"organic", "organic flip-chip substrate, no interposer", false, false, 0},
    {"cowos-s", "TSMC CoWoS-S, silicon interposer", true, false, 3.3},
    {"cowos-l", "TSMC CoWoS-L, RDL interposer with local silicon bridges", true, true, 5.5},
    {"icube-s", "Samsung I-Cube S / Cube-S, silicon interposer", true, false, 3.0},
    {"cube-e", "Samsung Cube-E, RDL with embedded silicon bridges", true, true, 5.5},
};
constexpr double kReticle = 858;  // mm², silicon.md §1.7

bool is_hbm(const MemoryLevel& m) {
  return m.type.rfind("HBM", 0) == 0;
}

}  // namespace

bool is_package_class(const std::string& name) {
  for (const auto& c : kClasses)
    if (name == c.name) return true;
  return false;
}

std::vector<std::string> package_class_names() {
  std::vector<std::string> v;
  for (const auto& c : kClasses) v.emplace_back(c.name);
  return v;
}

const PackageClass& package_class(const std::string& name) {
  for (const auto& c : kClasses)
    if (name == c.name) return c;
  throw UserError("unknown package class '" + name +
                  "': " + suggestion(name, package_class_names()));
}

const PackageClass& choose_package(const ChipSpec& chip, const ProcessNode& node,
                                   double interposer_mm2, const Economics& e) {
  const double reticles = interposer_mm2 / kReticle;
  if (e.package != "auto") {
    const PackageClass& c = package_class(e.package);
    if (c.interposer && reticles > c.max_reticles)
      throw UserError(
          fmt::format("chip '{}': a {:.0f} mm² interposer ({:.2f} reticles) exceeds {}'s "
                      "{:.1f}-reticle limit: choose a bridge class (packaging.package="
                      "cowos-l or cube-e) or fewer HBM stacks / smaller dies",
                      chip.id, interposer_mm2, reticles, c.name, c.max_reticles));
    return c;
  }
  bool hbm = false;
  for (const auto& m : chip.memory) hbm = hbm || is_hbm(m);
  if (!hbm && chip.die.dies <= 1) return package_class("organic");
  const bool samsung = node.foundry == "Samsung";
  const PackageClass& si = package_class(samsung ? "icube-s" : "cowos-s");
  if (reticles <= si.max_reticles) return si;
  const PackageClass& bridge = package_class(samsung ? "cube-e" : "cowos-l");
  if (reticles <= bridge.max_reticles) return bridge;
  throw UserError(
      fmt::format("chip '{}': a {:.0f} mm² interposer ({:.2f} reticles) exceeds every "
                  "package class (largest: {} at {:.1f} reticles): use fewer HBM stacks "
                  "or split the system into several packages",
                  chip.id, interposer_mm2, reticles, bridge.name, bridge.max_reticles));
}

UnitCost unit_cost(const ChipSpec& chip, const AreaBreakdown& area, const ProcessNode& node,
                   const Economics& e) {
  UnitCost u;
  u.dies = area.dies;
  u.die_area_mm2 = area.per_die_mm2;
  u.dies_per_wafer = dies_per_wafer(u.die_area_mm2, node.wafer_diameter_mm);

  // Yield with harvesting: a defect in a core (or its local SRAM) disables that
  // core, which a spare replaces; most SRAM defects are fixed by redundant rows.
  // Everything else (PHYs, NoC, I/O, the rest of the SRAM) is critical area.
  const double core = area.core_mm2 / u.dies;
  const double sram = area.chip_sram_mm2 / u.dies;
  u.spare_cores_per_die = area.spare_cores / u.dies;
  u.critical_area_mm2 = std::max(0.0, u.die_area_mm2 - core - e.sram_repairable_fraction * sram);
  const double d0 = node.defect_density, alpha = e.clustering_alpha;
  u.defect_yield = die_yield(e.yield_model, u.critical_area_mm2 / 100, d0, alpha);  // mm² -> cm²
  u.repair_yield = cw::repair_yield(e.yield_model, core / 100, d0, alpha, u.spare_cores_per_die);
  u.die_yield = u.defect_yield * u.repair_yield;
  u.die_cost = die_cost(node.wafer_price, u.die_area_mm2, u.die_yield, node.wafer_diameter_mm);
  u.dies_cost = u.die_cost * u.dies;

  // Off-chip memory, priced per GB (silicon.md §3 "HBM cost").
  for (const auto& m : chip.memory) {
    if (m.type.empty()) continue;
    const double gb = m.capacity / 1e9;
    u.memory_gb += gb;
    u.memory_cost += gb * (is_hbm(m) ? e.hbm_price_per_gb : e.dram_price_per_gb);
    if (is_hbm(m)) u.memory_stacks += std::max(1, m.stacks);
  }

  // Interposer: area_factor × (dies + HBM footprints) (Chiplet Actuary 1.1x, §4).
  const double footprint = area.total_mm2 + u.memory_stacks * e.hbm_footprint_mm2;
  const double interposer = e.interposer_area_factor * footprint;
  const PackageClass& pc = choose_package(chip, node, interposer, e);
  u.package = pc.name;
  if (pc.interposer) {
    u.interposer_mm2 = interposer;
    u.interposer_reticles = interposer / kReticle;
    u.interposer_cost = interposer * (pc.bridge ? e.bridge_interposer_price_per_mm2
                                                : e.si_interposer_price_per_mm2);
  }
  const double under = pc.interposer ? u.interposer_mm2 : area.total_mm2;
  u.substrate_cost = e.substrate_area_factor * under * e.substrate_price_per_mm2;
  u.assembly_test_cost = e.assembly_test_cost;
  u.package_cost = u.interposer_cost + u.substrate_cost + u.assembly_test_cost;

  // Chip-last assembly: a failed bond or final test scraps the whole package
  // (Chiplet Actuary, §7.2): every part is paid for 1 / assembly_yield times.
  const int attached = u.dies + (pc.interposer ? u.memory_stacks : 0);
  u.assembly_yield = std::pow(e.bond_yield, attached) * e.final_test_yield;
  u.unit_cost = (u.dies_cost + u.memory_cost + u.package_cost) / u.assembly_yield;
  return u;
}

}  // namespace cw
