#include <gtest/gtest.h>

#include "../support/user_error.hpp"

#include <cstdio>
#include <functional>

#include "hardware/chip_loader.hpp"
#include "silicon/silicon_sheet.hpp"

namespace cw {
namespace {

using cw::test::error_of;
using cw::test::has;

void print(const SiliconSheet& s) {
  const UnitCost& c = s.cost;
  std::printf(
      "%s on %s: %.0f mm² (%d x %.0f), %s\n  yield %.3f (defect %.3f x repair %.3f), die $%.0f, "
      "HBM %.0f GB $%.0f, %s interposer %.0f mm² $%.0f, unit $%.0f, TCO $%.3f/chip-h\n",
      s.chip_id.c_str(), s.node.id.c_str(), s.area.total_mm2, s.area.dies, s.area.per_die_mm2,
      s.power.message.c_str(), c.die_yield, c.defect_yield, c.repair_yield, c.die_cost, c.memory_gb,
      c.memory_cost, c.package.c_str(), c.interposer_mm2, c.interposer_cost, c.unit_cost,
      s.tco.per_chip_hour);
}

TEST(SiliconSheet, PresetsOnTheirOwnNodes) {
  for (const char* id : {"a100-sxm", "h100-sxm", "h200-sxm", "b200", "gb200"}) {
    SiliconSheet s = silicon_sheet(load_chip(id));
    print(s);
    EXPECT_FALSE(s.node_overridden);
    EXPECT_TRUE(s.fits_reticle) << id;
    EXPECT_GT(s.cost.unit_cost, s.cost.dies_cost + s.cost.memory_cost) << id;
    EXPECT_GT(s.tco.per_chip_hour, 0) << id;
  }
}

// The reference design's content (96 cores, 352 MiB SRAM, 8 HBM3E stacks)
// does not fit one reticle by this model, which is why the preset ships it as
// two chiplets; the monolithic variant must be refused with that advice.
TEST(SiliconSheet, Sf2InferenceOverflowsTheReticle) {
  ChipSpec c = load_chip("sf2-inference");
  EXPECT_TRUE(silicon_sheet(c).fits_reticle);  // as shipped: 2 dies
  c.die.dies = 1;
  c.die.area_mm2 = 780;
  std::string m = error_of([&] { silicon_sheet(c); });
  EXPECT_TRUE(has(m, "sf2-inference")) << m;
  EXPECT_TRUE(has(m, "exceeds the 858 mm² reticle of Samsung SF2")) << m;
  EXPECT_TRUE(has(m, "split it into 2 chiplets")) << m;
  SheetOptions o;
  o.allow_reticle_overflow = true;
  SiliconSheet s = silicon_sheet(c, o);
  print(s);
  EXPECT_FALSE(s.fits_reticle);
  EXPECT_EQ(s.chiplets_needed, 2);
  EXPECT_EQ(s.reticle_message, m);
  EXPECT_EQ(s.cost.package, "icube-s");
  c.die.dies = 2;  // as the error suggests
  print(silicon_sheet(c));
}

TEST(SiliconSheet, RetargetsToAnotherNode) {
  ChipSpec c = load_chip("a100-sxm");
  SheetOptions o;
  o.node = "sf2";
  SiliconSheet s = silicon_sheet(c, o);
  SiliconSheet own = silicon_sheet(c);
  EXPECT_TRUE(s.node_overridden);
  EXPECT_EQ(s.node.id, "samsung-sf2");
  EXPECT_LT(s.area.total_mm2, own.area.total_mm2);
  EXPECT_LT(s.energy.flop_j.at(Dtype::bf16), own.energy.flop_j.at(Dtype::bf16));
}

TEST(SiliconSheet, ChipWithoutProcessNeedsANode) {
  ChipSpec c = load_chip("tpu-v5e");
  std::string m = error_of([&] { silicon_sheet(c); });
  EXPECT_TRUE(has(m, "--node")) << m;
  SheetOptions o;
  o.node = "tsmc-n5";
  EXPECT_GT(silicon_sheet(c, o).cost.unit_cost, 0);
  o.node = "tsmc-n22";
  m = error_of([&] { silicon_sheet(c, o); });
  EXPECT_TRUE(has(m, "unknown process node 'tsmc-n22'")) << m;
  EXPECT_TRUE(has(m, "did you mean")) << m;
}

TEST(SiliconSheet, EconomicsOverridesFlowThrough) {
  ChipSpec c = load_chip("h100-sxm");
  SheetOptions o;
  Economics e;
  e.hbm_price_per_gb = 10;
  o.economics = e;
  o.tco.chip_price = 30000;
  SiliconSheet s = silicon_sheet(c, o);
  EXPECT_DOUBLE_EQ(s.cost.memory_cost, 800);
  EXPECT_DOUBLE_EQ(s.tco.chip_price, 30000);
}

}  // namespace
}  // namespace cw
