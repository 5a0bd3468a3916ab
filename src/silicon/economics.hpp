// Economic assumptions of the silicon and TCO models: yield model, memory and
// packaging prices, data-centre costs. Defaults live in data/economics.yaml
// (values and sources from ../shared/reference/silicon.md §0); every field can
// be overridden by a dotted key ("tco.pue=1.1") from the command line.
// Contract: loaders and overrides validate ranges and throw cw::UserError with
// file:line or the key and a did-you-mean hint.
#pragma once

#include <string>
#include <vector>

#include "config/config_node.hpp"
#include "silicon/yield.hpp"

namespace cw {

struct Economics {
  std::string source_file;
  // yield:
  YieldModel yield_model = YieldModel::negative_binomial;
  double clustering_alpha = 3;            // NB α for a whole-die D0
  double sram_repairable_fraction = 0.8;  // SRAM defects fixed by redundant rows/columns
  // memory:
  double hbm_price_per_gb = 15;  // $ per GB of HBM
  double dram_price_per_gb = 3;  // $ per GB of other DRAM on the board
  // packaging:
  std::string package = "auto";  // auto | organic | cowos-s | cowos-l | icube-s | cube-e
  double si_interposer_price_per_mm2 = 0.35;
  double bridge_interposer_price_per_mm2 = 0.30;
  double interposer_area_factor = 1.1;  // interposer area / (dies + HBM footprints)
  double hbm_footprint_mm2 = 121;
  double substrate_price_per_mm2 = 0.01;
  double substrate_area_factor = 2.0;  // substrate area / (interposer or die) area
  double bond_yield = 0.99;            // per die or stack attached
  double final_test_yield = 0.98;
  double assembly_test_cost = 150;  // $ per package
  // tco:
  double electricity_price_per_kwh = 0.08;
  double pue = 1.25;
  double depreciation_years = 4;
  double server_cost_per_chip = 7000;
  double network_cost_per_chip = 3000;
  double host_power_fraction = 0.8;      // host (CPU, NIC, fans) watts per chip / chip TDP
  double average_power_fraction = 0.75;  // chip average draw / TDP when no workload power is given
  double opex_fraction = 0.05;           // yearly maintenance as a fraction of yearly capex
  double utilisation = 1.0;              // fraction of hours serving at the given tokens/s
  double markup = 0;                     // chip price = unit cost × (1 + markup) + NRE/volume
  double nre = 500e6;                    // $ design + masks + tape-out
  double volume = 500000;                // chips the NRE is spread over
};

// Loads data/economics.yaml, or the file at `path` when given.
Economics load_economics(const std::string& path = "");
Economics parse_economics(const ConfigNode& doc);

// Applies "section.key=value" (e.g. "tco.pue=1.1", "packaging.package=cowos-l",
// "memory.hbm_price_per_gb=10"); values take the same units as the YAML.
void apply_override(Economics& e, const std::string& assignment);

// Every overridable dotted key, for help text and did-you-mean.
std::vector<std::string> economics_keys();

}  // namespace cw
