// Total cost of ownership per chip: capex (chip, its share of the server and
// network) straight-line depreciated, maintenance, and facility energy
// (chip + host power) × PUE × electricity price → $ per chip-hour, then
// $ per million tokens for a serving or MLPerf result
// (../shared/reference/silicon.md §6). Contract: pure; bad inputs throw cw::UserError.
#pragma once

#include "silicon/economics.hpp"

namespace cw {

struct TcoInputs {
  double chip_price = 0;  // $ paid per chip; 0 = unit cost × (1 + markup) + NRE / volume
  double chip_power_w =
      0;  // average chip power under the workload; 0 = average_power_fraction × TDP
};

struct Tco {
  double chip_price = 0;      // $
  double capex = 0;           // chip + server share + network share, $
  double capex_per_hour = 0;  // capex / (depreciation_years × 8760 h)
  double opex_per_hour = 0;   // opex_fraction × capex_per_hour
  double chip_power_w = 0;
  double host_power_w = 0;      // host_power_fraction × TDP
  double facility_power_w = 0;  // (chip + host) × PUE
  double energy_per_hour = 0;   // facility kW × $/kWh
  double per_chip_hour = 0;     // capex + opex + energy, $ per hour
};

Tco tco_per_chip(double unit_cost, double tdp_w, const Economics& e, const TcoInputs& in = {});

// $ per million tokens when `chips` chips together produce `tokens_per_s`:
// per_chip_hour × chips / (tokens_per_s × 3600 × utilisation) × 1e6.
double dollars_per_million_tokens(const Tco& t, int chips, double tokens_per_s, const Economics& e);

// Facility joules per token: facility_power_w × chips / tokens_per_s.
double facility_joules_per_token(const Tco& t, int chips, double tokens_per_s);

}  // namespace cw
