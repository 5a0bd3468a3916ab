#include <gtest/gtest.h>

#include "../support/user_error.hpp"

#include <cstdio>
#include <functional>

#include "hardware/chip_loader.hpp"
#include "silicon/area_model.hpp"

namespace cw {
namespace {

using cw::test::error_of;
using cw::test::has;

AreaBreakdown area_of(const std::string& chip_id) {
  ChipSpec c = load_chip(chip_id);
  return estimate_area(c, node_for_process(c.die.process, c.id));
}

// Prints the per-block breakdown (shown in the test log and quoted in docs/silicon-model.md).
void print(const std::string& id, const AreaBreakdown& a, double published) {
  std::printf("%s on %s: %.0f mm² modelled vs %.0f published (%+.1f%%)\n", id.c_str(),
              a.node_id.c_str(), a.total_mm2, published, (a.total_mm2 / published - 1) * 100);
  for (const auto& b : a.blocks)
    if (b.mm2 > 0) std::printf("  %-22s %6.1f  %s\n", b.name.c_str(), b.mm2, b.basis.c_str());
}

// Issue 5 "must show": die area from published specs within 10%, same code as a
// new design. A100: 826 mm² on TSMC N7 (chips.md A.1 [AMP]); the model is
// ~6% low, consistent with GA100 carrying 20 disabled SMs (16%) against the
// 10% spare-core default.
TEST(AreaModel, A100Within10PercentOfPublished) {
  AreaBreakdown a = area_of("a100-sxm");
  print("a100-sxm", a, 826);
  EXPECT_NEAR(a.total_mm2 / 826, 1.0, 0.10);
}

// H100: 814 mm² on TSMC 4N (chips.md A.1 [SB-GPU]); predicted, not fitted alone.
TEST(AreaModel, H100Within10PercentOfPublished) {
  AreaBreakdown a = area_of("h100-sxm");
  print("h100-sxm", a, 814);
  EXPECT_NEAR(a.total_mm2 / 814, 1.0, 0.10);
}

// Transistors / node density misses both dies by ~30% (silicon.md §1.3); the
// block model must not.
TEST(AreaModel, BeatsTransistorsOverDensity) {
  for (auto [id, published, transistors_b] :
       {std::tuple{"a100-sxm", 826.0, 54.2}, std::tuple{"h100-sxm", 814.0, 80.0}}) {
    ChipSpec c = load_chip(id);
    ProcessNode n = node_for_process(c.die.process, c.id);
    double naive = transistors_b * 1e3 / n.logic_density;
    double model = estimate_area(c, n).total_mm2;
    EXPECT_LT(std::abs(model / published - 1), std::abs(naive / published - 1)) << id;
  }
}

TEST(AreaModel, BlocksSumToTotalAndDiesShareIt) {
  for (const char* id : {"a100-sxm", "h100-sxm", "b200", "sf2-inference"}) {
    AreaBreakdown a = area_of(id);
    double sum = 0;
    for (const auto& b : a.blocks) sum += b.mm2;
    EXPECT_NEAR(sum, a.total_mm2, 1e-9) << id;
    EXPECT_NEAR(a.per_die_mm2 * a.dies, a.total_mm2, 1e-9) << id;
  }
  AreaBreakdown b200 = area_of("b200");
  EXPECT_EQ(b200.dies, 2);
  EXPECT_GT(b200.area_of("die-to-die links"), 0);
  EXPECT_EQ(area_of("h100-sxm").area_of("die-to-die links"), 0);
}

TEST(AreaModel, SramCountsEveryOnChipLevel) {
  // sf2-inference: 1 MiB per core x 96 cores + 256 MiB global buffer; 10 spare
  // cores carry their own 1 MiB each.
  AreaBreakdown a = area_of("sf2-inference");
  EXPECT_NEAR(a.sram_mib, 96 + 10 + 256, 1e-9);
  EXPECT_NEAR(a.area_of("SRAM (chip)"), 256 * load_node("samsung-sf2").sram_mm2_per_mib, 1e-9);
}

TEST(AreaModel, DenserNodeShrinksLogicButNotPhys) {
  ChipSpec c = load_chip("a100-sxm");
  AreaBreakdown n7 = estimate_area(c, load_node("tsmc-n7"));
  AreaBreakdown n2 = estimate_area(c, load_node("tsmc-n2"));
  EXPECT_NEAR(n2.area_of("matrix units") / n7.area_of("matrix units"), 96.3 / 213, 1e-9);
  EXPECT_DOUBLE_EQ(n2.area_of("SerDes links"), n7.area_of("SerDes links"));
  EXPECT_LT(n2.total_mm2, n7.total_mm2);
}

// Property: more compute, more SRAM or more HBM stacks never make a die smaller.
TEST(AreaModel, MoreResourcesNeverShrinkTheDie) {
  const ChipSpec base = load_chip("h100-sxm");
  const ProcessNode n = load_node("tsmc-n4");
  double prev = 0;
  for (double f : {0.5, 1.0, 1.5, 2.0, 3.0}) {
    ChipSpec c = base;
    for (auto& [d, p] : c.matrix.peak_flops) p *= f;
    c.matrix.cores = static_cast<int>(base.matrix.cores * f);
    c.memory[1].capacity *= f;
    c.memory.back().stacks = static_cast<int>(5 * f);
    double a = estimate_area(c, n).total_mm2;
    EXPECT_GT(a, prev) << f;
    prev = a;
  }
}

TEST(AreaModel, ChipWithoutClockIsAUserError) {
  ChipSpec c = load_chip("h100-sxm");
  c.matrix.clock_hz = 0;
  std::string m = error_of([&] { estimate_area(c, load_node("tsmc-n4")); });
  EXPECT_TRUE(has(m, "h100-sxm")) << m;
  EXPECT_TRUE(has(m, "matrix.clock")) << m;
}

TEST(AreaReticle, OverflowErrorSuggestsAChipletSplit) {
  ChipSpec c = load_chip("h100-sxm");
  for (auto& [d, p] : c.matrix.peak_flops) p *= 2;  // twice the tensor cores: ~1,100 mm²
  c.matrix.cores *= 2;
  ProcessNode n = load_node("tsmc-n4");
  AreaBreakdown a = estimate_area(c, n);
  EXPECT_FALSE(a.fits_reticle);
  EXPECT_EQ(chiplets_needed(a, c), 2);
  std::string m = error_of([&] { check_reticle(a, c, n); });
  EXPECT_TRUE(has(m, "exceeds the 858 mm² reticle")) << m;
  EXPECT_TRUE(has(m, "split it into 2 chiplets")) << m;
  EXPECT_TRUE(has(m, "die.dies: 2")) << m;
  // Split as suggested, each die fits.
  c.die.dies = 2;
  EXPECT_TRUE(estimate_area(c, n).fits_reticle);
}

// The H100 model lands just over 858 mm² (+6% vs its published 814 mm²): a
// published area that fits wins while the model is within its accuracy.
TEST(AreaReticle, PublishedAreaWithinModelAccuracyFits) {
  ChipSpec c = load_chip("h100-sxm");
  ProcessNode n = load_node("tsmc-n4");
  AreaBreakdown a = estimate_area(c, n);
  EXPECT_NO_THROW(check_reticle(a, c, n, {}, 814));
  EXPECT_TRUE(fits_reticle(a, 814));
  EXPECT_FALSE(fits_reticle(a, 700));  // a claim the model cannot support
}

TEST(AreaReticle, ChipletsNeededGrowsWithSize) {
  ChipSpec c = load_chip("sf2-inference");
  ProcessNode n = load_node("samsung-sf2");
  int prev = 0;
  for (double f : {0.5, 1.0, 2.0, 3.0}) {
    ChipSpec s = c;
    for (auto& [d, p] : s.matrix.peak_flops) p *= f;
    s.matrix.cores = static_cast<int>(c.matrix.cores * f);
    s.memory[1].capacity *= f;
    int need = chiplets_needed(estimate_area(s, n), s);
    EXPECT_GE(need, prev) << f;
    prev = need;
  }
  EXPECT_GE(prev, 3);
}

}  // namespace
}  // namespace cw
