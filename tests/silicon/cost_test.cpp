#include <gtest/gtest.h>

#include "../support/user_error.hpp"

#include <cmath>
#include <functional>

#include "hardware/chip_loader.hpp"
#include "silicon/economics.hpp"
#include "silicon/packaging.hpp"
#include "silicon/yield.hpp"

namespace cw {
namespace {

using cw::test::error_of;
using cw::test::has;

// The YAML defaults and the struct's defaults must not drift apart.
TEST(CostEconomics, FileMatchesStructDefaults) {
  Economics f = load_economics(), d;
  EXPECT_EQ(f.yield_model, d.yield_model);
  EXPECT_EQ(f.package, d.package);
  const double Economics::*fields[] = {&Economics::clustering_alpha,
                                       &Economics::sram_repairable_fraction,
                                       &Economics::hbm_price_per_gb,
                                       &Economics::dram_price_per_gb,
                                       &Economics::si_interposer_price_per_mm2,
                                       &Economics::bridge_interposer_price_per_mm2,
                                       &Economics::interposer_area_factor,
                                       &Economics::hbm_footprint_mm2,
                                       &Economics::substrate_price_per_mm2,
                                       &Economics::substrate_area_factor,
                                       &Economics::bond_yield,
                                       &Economics::final_test_yield,
                                       &Economics::assembly_test_cost,
                                       &Economics::electricity_price_per_kwh,
                                       &Economics::pue,
                                       &Economics::depreciation_years,
                                       &Economics::server_cost_per_chip,
                                       &Economics::network_cost_per_chip,
                                       &Economics::host_power_fraction,
                                       &Economics::average_power_fraction,
                                       &Economics::opex_fraction,
                                       &Economics::utilisation,
                                       &Economics::markup,
                                       &Economics::nre,
                                       &Economics::volume};
  for (auto m : fields) EXPECT_DOUBLE_EQ(f.*m, d.*m);
  EXPECT_EQ(economics_keys().size(), std::size(fields) + 2);  // + yield.model, packaging.package
}

TEST(CostEconomics, OverridesTakeUnitsAndRanges) {
  Economics e;
  apply_override(e, "tco.pue=1.1");
  apply_override(e, "memory.hbm_price_per_gb=$10");
  apply_override(e, "packaging.package=cowos-l");
  apply_override(e, "yield.model=murphy");
  EXPECT_DOUBLE_EQ(e.pue, 1.1);
  EXPECT_DOUBLE_EQ(e.hbm_price_per_gb, 10);
  EXPECT_EQ(e.package, "cowos-l");
  EXPECT_EQ(e.yield_model, YieldModel::murphy);
  EXPECT_TRUE(has(error_of([&] { apply_override(e, "tco.peu=1.1"); }), "did you mean 'tco.pue'"));
  EXPECT_TRUE(has(error_of([&] { apply_override(e, "tco.pue=0.5"); }), "tco.pue"));
  EXPECT_TRUE(has(error_of([&] { apply_override(e, "packaging.package=cowos"); }), "did you mean"));
  EXPECT_TRUE(has(error_of([&] { apply_override(e, "tco.pue"); }), "key=value"));
}

TEST(CostEconomics, BadYamlNamesFileLineAndKey) {
  std::string text =
      "yield: {model: poisson, clustering_alpha: 3, sram_repairable_fraction: 0.8}\n"
      "memory: {hbm_price_per_gb: 15, dram_price_per_gb: 3, hbm_prise: 2}\n";
  std::string m = error_of([&] { parse_economics(ConfigNode::load_string(text, "econ.yaml")); });
  EXPECT_TRUE(has(m, "econ.yaml:2:")) << m;
  EXPECT_TRUE(has(m, "hbm_prise")) << m;
  m = error_of(
      [&] { parse_economics(ConfigNode::load_string("yield: {model: poisson}\n", "econ.yaml")); });
  EXPECT_TRUE(has(m, "econ.yaml:1:")) << m;
  EXPECT_TRUE(has(m, "clustering_alpha")) << m;
}

UnitCost cost_of(const ChipSpec& c, const std::string& node, const Economics& e = {}) {
  ProcessNode n = load_node(node);
  return unit_cost(c, estimate_area(c, n), n, e);
}

// Golden arithmetic on H100 (TSMC N4: $17,800 wafer, D0 0.07, NB α 3): every
// total is the sum of its parts, then divided by the assembly yield.
TEST(CostUnit, H100CostAddsUp) {
  Economics e;
  UnitCost u = cost_of(load_chip("h100-sxm"), "tsmc-n4", e);
  const double a = u.critical_area_mm2 / 100;  // cm²
  EXPECT_NEAR(u.defect_yield, std::pow(1 + a * 0.07 / 3, -3), 1e-12);
  EXPECT_NEAR(u.die_cost, 17800 / (std::floor(u.dies_per_wafer) * u.die_yield), 1e-9);
  EXPECT_DOUBLE_EQ(u.memory_cost, 80 * 15.0);  // 80 GB HBM3 at $15/GB
  EXPECT_EQ(u.package, "cowos-s");
  EXPECT_NEAR(u.assembly_yield, std::pow(0.99, 1 + 5) * 0.98, 1e-12);  // 1 die + 5 stacks bonded
  EXPECT_NEAR(u.unit_cost, (u.dies_cost + u.memory_cost + u.package_cost) / u.assembly_yield, 1e-9);
  // Range check against the published estimates (silicon.md §6): logic die ~$300,
  // HBM ~$1,350, CoWoS ~$750, total ~$3,320 (Raymond James; aggregators [U]).
  EXPECT_GT(u.die_cost, 200);
  EXPECT_LT(u.die_cost, 600);
  EXPECT_GT(u.unit_cost, 2000);
  EXPECT_LT(u.unit_cost, 4000);
}

// Property: a larger die never costs less (fewer dies per wafer, lower yield).
TEST(CostUnit, LargerDieNeverCostsLess) {
  const ProcessNode n = load_node("tsmc-n5");
  const Economics e;
  double prev = 0;
  for (double area = 50; area <= 858; area += 8) {
    double y = die_yield(e.yield_model, area / 100, n.defect_density, e.clustering_alpha);
    double c = die_cost(n.wafer_price, area, y);
    EXPECT_GE(c, prev) << area;
    prev = c;
  }
  // Same property through the whole model: scale a chip's cores and SRAM.
  const ChipSpec base = load_chip("h100-sxm");
  prev = 0;
  for (double f = 0.25; f <= 1.0; f += 0.05) {
    ChipSpec c = base;
    for (auto& [d, p] : c.matrix.peak_flops) p *= f;
    c.matrix.cores = std::max(1, static_cast<int>(base.matrix.cores * f));
    c.memory[1].capacity *= f;
    UnitCost u = cost_of(c, "tsmc-n4", e);
    EXPECT_GE(u.dies_cost, prev) << f;
    prev = u.dies_cost;
  }
}

TEST(CostUnit, SpareCoresRaiseYield) {
  ChipSpec c = load_chip("sf2-inference");
  Economics e;
  UnitCost with = cost_of(c, "samsung-sf2", e);
  EXPECT_GT(with.spare_cores_per_die, 0);
  EXPECT_GT(with.repair_yield, 0.95);
  // Without harvesting the whole die is critical area: yield falls.
  EXPECT_LT(yield_negative_binomial(with.die_area_mm2 / 100, 0.4, 3), with.die_yield);
}

TEST(CostPackage, AutoPicksFoundryClassBySize) {
  EXPECT_EQ(cost_of(load_chip("sf2-inference"), "samsung-sf2").package, "icube-s");
  ChipSpec big = load_chip("b200");
  big.memory.back().stacks = 12;  // 12 HBM stacks: past CoWoS-S's 3.3 reticles
  UnitCost u = cost_of(big, "tsmc-n4");
  EXPECT_EQ(u.package, "cowos-l");
  EXPECT_GT(u.interposer_reticles, 3.3);
  ChipSpec groq = load_chip("groq-lpu");  // SRAM only, one die: no interposer
  u = cost_of(groq, "tsmc-n7");
  EXPECT_EQ(u.package, "organic");
  EXPECT_EQ(u.interposer_cost, 0);
  EXPECT_EQ(u.memory_cost, 0);
}

TEST(CostPackage, ForcedClassTooSmallIsAUserError) {
  ChipSpec big = load_chip("b200");
  big.memory.back().stacks = 12;
  Economics e;
  e.package = "cowos-s";
  std::string m = error_of([&] { cost_of(big, "tsmc-n4", e); });
  EXPECT_TRUE(has(m, "exceeds cowos-s")) << m;
  EXPECT_TRUE(has(m, "cowos-l")) << m;
  big.memory.back().stacks = 40;
  e.package = "auto";
  m = error_of([&] { cost_of(big, "tsmc-n4", e); });
  EXPECT_TRUE(has(m, "exceeds every package class")) << m;
}

}  // namespace
}  // namespace cw
