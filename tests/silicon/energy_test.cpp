#include <gtest/gtest.h>

#include "hardware/chip_loader.hpp"
#include "config/error.hpp"
#include "silicon/energy_model.hpp"
#include "silicon/silicon_sheet.hpp"

namespace cw {
namespace {

constexpr double pJ = 1e-12;

EnergyTable table_for(const std::string& chip_id, const std::string& node, double area = 800) {
  return energy_table(load_chip(chip_id), load_node(node), area);
}

// Golden: 1 TFLOP of bf16 plus 1 GB at each of H100's levels (smem, l2, hbm) in 1 ms on
// TSMC N4 (energy_scale 0.63, leakage 0.06 W/mm² x 800 mm² = 48 W):
//   FLOPs 1e12 x 0.30 pJ x 0.63         = 0.189000 J
//   smem  1e9 x 0.94 pJ x 0.63          = 0.000592 J
//   l2    1e9 x 2.05 pJ x 0.63          = 0.001292 J
//   hbm   1e9 x 31.2 pJ (not scaled)    = 0.031200 J
//   static 48 W x 1 ms                  = 0.048000 J      total 0.270084 J
TEST(EnergyModel, EnergyOfACostGolden) {
  EnergyTable t = table_for("h100-sxm", "tsmc-n4");
  Cost c;
  c.time = 1e-3;
  c.flops = 1e12;
  c.bytes = {1e9, 1e9, 1e9, 0};
  EXPECT_NEAR(t.static_w, 48, 1e-9);
  EXPECT_NEAR(energy_of(c, Dtype::bf16, t), 0.189 + 0.000592 + 0.0012915 + 0.0312 + 0.048, 1e-6);
  EXPECT_NEAR(average_power(c, Dtype::bf16, t), energy_of(c, Dtype::bf16, t) / 1e-3, 1e-6);
  // 1 GB over NVLink at 1.3 pJ/bit = 10.4 mJ.
  Cost linked = c;
  linked.link_bytes = 1e9;
  EXPECT_NEAR(energy_of(linked, Dtype::bf16, t) - energy_of(c, Dtype::bf16, t), 0.0104, 1e-9);
  // Static power is the only difference between energy_of and dynamic_energy_of.
  EXPECT_NEAR(energy_of(c, Dtype::bf16, t) - dynamic_energy_of(c, Dtype::bf16, t), 0.048, 1e-12);
}

TEST(EnergyModel, NarrowerDtypesCostLessPerFlop) {
  EnergyTable t = table_for("b200", "tsmc-n4");
  EXPECT_DOUBLE_EQ(t.flop_j.at(Dtype::fp8), t.flop_j.at(Dtype::bf16) / 2);
  EXPECT_DOUBLE_EQ(t.flop_j.at(Dtype::fp4), t.flop_j.at(Dtype::bf16) / 4);
  EXPECT_NEAR(t.flop_j.at(Dtype::bf16), 0.30 * 0.63 * pJ, 1e-18);
}

TEST(EnergyModel, NodeScalesLogicAndSramNotDram) {
  EnergyTable n7 = table_for("h100-sxm", "tsmc-n7"), n2 = table_for("h100-sxm", "tsmc-n2");
  EXPECT_NEAR(n2.flop_j.at(Dtype::bf16) / n7.flop_j.at(Dtype::bf16), 0.33, 1e-12);
  EXPECT_NEAR(n2.level_byte_j[0] / n7.level_byte_j[0], 0.33, 1e-12);
  EXPECT_DOUBLE_EQ(n2.level_byte_j[2], n7.level_byte_j[2]);
  EXPECT_DOUBLE_EQ(n2.level_byte_j[2], 3.9 * 8 * pJ);  // HBM3, 3.9 pJ/bit
  EXPECT_EQ(n2.level_kind[2], "HBM3");
}

TEST(EnergyModel, LinkEnergyByType) {
  EXPECT_DOUBLE_EQ(table_for("h100-sxm", "tsmc-n4").link_byte_j, 1.3 * 8 * pJ);           // NVLink4
  EXPECT_DOUBLE_EQ(table_for("sf2-inference", "samsung-sf2").link_byte_j, 5.5 * 8 * pJ);  // SerDes
}

TEST(EnergyModel, UnsupportedDtypeIsAUserError) {
  EnergyTable t = table_for("a100-sxm", "tsmc-n7");  // no fp8 on Ampere
  Cost c;
  c.flops = 1;
  c.time = 1;
  EXPECT_THROW(energy_of(c, Dtype::fp8, t), UserError);
}

TEST(EnergyTdp, ShippedGpusFitTheirTdp) {
  for (auto [id, node] : {std::pair{"a100-sxm", "tsmc-n7"}, std::pair{"h100-sxm", "tsmc-n4"}}) {
    ChipSpec c = load_chip(id);
    TdpCheck t = check_tdp(c, energy_table(c, load_node(node), 820));
    EXPECT_TRUE(t.within_tdp) << id << ": " << t.message;
    // The bound is not absurdly low either: at least half the TDP.
    EXPECT_GT(t.estimated_max_w, 0.5 * c.power.tdp) << id;
    EXPECT_NEAR(t.estimated_max_w, t.peak_compute_w + t.peak_memory_w + t.peak_link_w + t.static_w,
                1e-9);
  }
}

// Every shipped chip with a TDP and a process node stays within its TDP even
// with every unit busy at once (a bound no workload reaches). Chips the silicon
// model cannot place on a node (process not published, or no node data) are
// checked only for that reason.
TEST(EnergyTdp, EveryPresetWithATdpFitsIt) {
  int checked = 0;
  for (const std::string& id : list_chips()) {
    ChipSpec c = load_chip(id);
    if (!(c.power.tdp > 0)) continue;
    SheetOptions o;
    o.allow_reticle_overflow = true;
    try {
      SiliconSheet s = silicon_sheet(c, o);
      EXPECT_TRUE(s.power.within_tdp) << id << ": " << s.power.message;
      ++checked;
    } catch (const UserError& e) {
      // tpu-*, trainium2: process not published; groq-lpu: GF 14 nm has no node file.
      EXPECT_TRUE(std::string(e.what()).find("process") != std::string::npos) << id << ": "
                                                                              << e.what();
    }
  }
  EXPECT_GE(checked, 9);  // a100, b200, gaudi3, gb200, h100, h200, mi300x, mi325x, sf2
}

TEST(EnergyTdp, FlagsAnOverBudgetDesign) {
  ChipSpec c = load_chip("h100-sxm");
  c.power.tdp = 300;
  TdpCheck t = check_tdp(c, energy_table(c, load_node("tsmc-n4"), 814));
  EXPECT_FALSE(t.within_tdp);
  EXPECT_NE(t.message.find("EXCEEDS"), std::string::npos) << t.message;
}

}  // namespace
}  // namespace cw
