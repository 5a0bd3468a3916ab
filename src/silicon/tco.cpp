#include "silicon/tco.hpp"

#include <fmt/format.h>

#include "config/error.hpp"

namespace cw {
namespace {
constexpr double kHoursPerYear = 8760;  // 365 × 24
}

Tco tco_per_chip(double unit_cost, double tdp_w, const Economics& e, const TcoInputs& in) {
  if (!(unit_cost >= 0) || !(tdp_w >= 0) || !(in.chip_price >= 0) || !(in.chip_power_w >= 0))
    throw UserError("TCO inputs (unit cost, TDP, chip price, chip power) must be non-negative");
  if (!(e.depreciation_years > 0) || !(e.volume > 0))
    throw UserError("tco.depreciation_years and tco.volume must be positive");
  Tco t;
  // A buyer pays the price; a custom chip costs its unit cost plus margin and
  // its share of the design NRE (silicon.md §1.5 mask/NRE figures).
  t.chip_price = in.chip_price > 0 ? in.chip_price : unit_cost * (1 + e.markup) + e.nre / e.volume;
  t.capex = t.chip_price + e.server_cost_per_chip + e.network_cost_per_chip;
  t.capex_per_hour = t.capex / (e.depreciation_years * kHoursPerYear);  // straight line
  t.opex_per_hour =
      e.opex_fraction * t.capex_per_hour;  // ASIC Cloud: opex 5% of amortisation (§7.5)
  t.chip_power_w = in.chip_power_w > 0 ? in.chip_power_w : e.average_power_fraction * tdp_w;
  t.host_power_w = e.host_power_fraction * tdp_w;  // Epoch: server W per GPU = 1.82x TDP (§6)
  t.facility_power_w = (t.chip_power_w + t.host_power_w) * e.pue;
  t.energy_per_hour = t.facility_power_w / 1000 * e.electricity_price_per_kwh;
  t.per_chip_hour = t.capex_per_hour + t.opex_per_hour + t.energy_per_hour;
  return t;
}

double dollars_per_million_tokens(const Tco& t, int chips, double tokens_per_s,
                                  const Economics& e) {
  if (chips < 1 || !(tokens_per_s > 0))
    throw UserError(
        fmt::format("$ per million tokens needs chips >= 1 and tokens/s > 0, got {} and {}", chips,
                    tokens_per_s));
  // silicon.md §6: $/Mtok = $/h / (tokens/s × 3600) × 1e6, divided by utilisation.
  return t.per_chip_hour * chips / (tokens_per_s * 3600 * e.utilisation) * 1e6;
}

double facility_joules_per_token(const Tco& t, int chips, double tokens_per_s) {
  if (chips < 1 || !(tokens_per_s > 0))
    throw UserError("joules per token needs chips >= 1 and tokens/s > 0");
  return t.facility_power_w * chips / tokens_per_s;
}

}  // namespace cw
