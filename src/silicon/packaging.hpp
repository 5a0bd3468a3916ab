// Package classes and the unit cost of a packaged chip: known-good dies,
// memory stacks, interposer (2.5D silicon or bridge class), substrate,
// assembly and test, with bonding and final-test yield losses
// (../shared/reference/silicon.md §4, §5; Chiplet Actuary chip-last model §7.2).
// Contract: pure; a package that cannot hold the design throws cw::UserError.
#pragma once

#include <string>
#include <vector>

#include "hardware/chip_spec.hpp"
#include "silicon/area_model.hpp"
#include "silicon/economics.hpp"
#include "silicon/process_node.hpp"

namespace cw {

struct PackageClass {
  const char* name;         // "cowos-s"
  const char* description;  // "TSMC CoWoS-S, silicon interposer"
  bool interposer;          // false: organic substrate only
  bool bridge;              // true: RDL + local silicon bridges (priced per bridge class)
  double max_reticles;      // largest interposer, in reticles of 858 mm²
};

bool is_package_class(const std::string& name);
std::vector<std::string> package_class_names();
const PackageClass& package_class(const std::string& name);

// The package `e.package` names, or for "auto": organic for a single die
// without HBM; else the foundry's silicon interposer while it fits, its bridge
// class beyond. Throws when nothing holds the interposer area.
const PackageClass& choose_package(const ChipSpec& chip, const ProcessNode& node,
                                   double interposer_mm2, const Economics& e);

struct UnitCost {
  // Dies
  int dies = 1;
  double die_area_mm2 = 0;       // per die
  double dies_per_wafer = 0;     // gross, standard formula
  double critical_area_mm2 = 0;  // per die: area a defect kills outright
  int spare_cores_per_die = 0;
  double defect_yield = 0;  // yield of the critical area
  double repair_yield = 0;  // P(core defects <= spare cores)
  double die_yield = 0;     // defect_yield × repair_yield
  double die_cost = 0;      // $ per known-good die
  double dies_cost = 0;     // all dies of one chip
  // Memory
  double memory_gb = 0;  // off-chip memory capacity
  double memory_cost = 0;
  int memory_stacks = 0;
  // Package
  std::string package;        // class name
  double interposer_mm2 = 0;  // 0 for organic
  double interposer_reticles = 0;
  double interposer_cost = 0;
  double substrate_cost = 0;
  double assembly_test_cost = 0;
  double assembly_yield = 0;  // bond_yield^(dies + stacks) × final_test_yield
  double package_cost = 0;    // interposer + substrate + assembly/test
  double unit_cost = 0;       // (dies + memory + package) / assembly_yield
};

UnitCost unit_cost(const ChipSpec& chip, const AreaBreakdown& area, const ProcessNode& node,
                   const Economics& e);

}  // namespace cw
