#include <gtest/gtest.h>

#include "silicon/tco.hpp"

namespace cw {
namespace {

// Golden: unit cost $3,000, TDP 700 W, defaults from data/economics.yaml.
//   chip price = 3000 x (1 + 0) + 500e6 / 500000           = 4,000
//   capex      = 4000 + 7000 server + 3000 network           = 14,000
//   capex/h    = 14000 / (4 yr x 8760 h)                     = 0.3995434
//   opex/h     = 0.05 x 0.3995434                            = 0.0199772
//   power      = (0.75 x 700 chip + 0.8 x 700 host) x 1.25   = 1356.25 W
//   energy/h   = 1.35625 kW x $0.08                          = 0.1085
//   $/chip-h   = 0.3995434 + 0.0199772 + 0.1085              = 0.5280206
//   8 chips at 10,000 tok/s: 0.5280206 x 8 / 36e6 x 1e6      = $0.117338 per Mtok
TEST(TcoArithmetic, GoldenPerChipHourAndPerMillionTokens) {
  Economics e;
  Tco t = tco_per_chip(3000, 700, e);
  EXPECT_DOUBLE_EQ(t.chip_price, 4000);
  EXPECT_DOUBLE_EQ(t.capex, 14000);
  EXPECT_NEAR(t.capex_per_hour, 0.3995434, 1e-7);
  EXPECT_NEAR(t.opex_per_hour, 0.0199772, 1e-7);
  EXPECT_DOUBLE_EQ(t.facility_power_w, 1356.25);
  EXPECT_NEAR(t.energy_per_hour, 0.1085, 1e-12);
  EXPECT_NEAR(t.per_chip_hour, 0.5280206, 1e-7);
  EXPECT_NEAR(dollars_per_million_tokens(t, 8, 10000, e), 0.1173379, 1e-7);
  EXPECT_NEAR(facility_joules_per_token(t, 8, 10000), 1356.25 * 8 / 10000, 1e-12);
}

// silicon.md §6 worked examples.
TEST(TcoArithmetic, ReproducesReferenceExamples) {
  Economics e;
  // "Llama 3.1 70B FP8 on 1x H100 at $2.49/h and 1,800 tok/s -> $0.38/Mtok".
  Tco rented;
  rented.per_chip_hour = 2.49;
  EXPECT_NEAR(dollars_per_million_tokens(rented, 1, 1800, e), 0.384, 0.001);
  // "$30k GPU, straight line, 70% utilisation: $1.64/h (3 yr) vs $0.98/h (5 yr),
  // hardware only": capex/h / utilisation.
  e.server_cost_per_chip = e.network_cost_per_chip = 0;
  TcoInputs in;
  in.chip_price = 30000;
  e.depreciation_years = 3;
  EXPECT_NEAR(tco_per_chip(0, 700, e, in).capex_per_hour / 0.7, 1.63, 0.01);
  e.depreciation_years = 5;
  EXPECT_NEAR(tco_per_chip(0, 700, e, in).capex_per_hour / 0.7, 0.98, 0.01);
}

TEST(TcoArithmetic, WorkloadPowerAndPriceOverrideDefaults) {
  Economics e;
  TcoInputs in;
  in.chip_price = 25000;
  in.chip_power_w = 400;
  Tco t = tco_per_chip(3000, 700, e, in);
  EXPECT_DOUBLE_EQ(t.chip_price, 25000);
  EXPECT_DOUBLE_EQ(t.facility_power_w, (400 + 560) * 1.25);
}

TEST(TcoArithmetic, UtilisationAndBadInputs) {
  Economics e;
  Tco t = tco_per_chip(3000, 700, e);
  const double full = dollars_per_million_tokens(t, 1, 1000, e);
  e.utilisation = 0.5;
  EXPECT_NEAR(dollars_per_million_tokens(t, 1, 1000, e), 2 * full, 1e-12);
  EXPECT_THROW(dollars_per_million_tokens(t, 1, 0, e), UserError);
  EXPECT_THROW(dollars_per_million_tokens(t, 0, 10, e), UserError);
  EXPECT_THROW(tco_per_chip(-1, 700, e), UserError);
}

}  // namespace
}  // namespace cw
