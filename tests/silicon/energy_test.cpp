#include <gtest/gtest.h>

#include <set>
#include <string>

#include "hardware/chip_loader.hpp"
#include "config/error.hpp"
#include "perf/ops.hpp"
#include "silicon/energy_model.hpp"
#include "silicon/silicon_sheet.hpp"

namespace cw {
namespace {

constexpr double pJ = 1e-12;

EnergyTable table_for(const std::string& chip_id, const std::string& node, double area = 800) {
  return energy_table(load_chip(chip_id), load_node(node), area);
}

// Golden: 1 TFLOP of bf16 plus 1 GB at each of H100's levels (smem, l2, hbm) in 1 ms on
// TSMC N4 (energy_scale 0.63); static = active idle 19.3% of the 700 W TDP = 135 W:
//   FLOPs 1e12 x 1.075 pJ x 0.63        = 0.677250 J
//   smem  1e9 x 0.94 pJ x 0.63          = 0.000592 J
//   l2    1e9 x 2.05 pJ x 0.63          = 0.001292 J
//   hbm   1e9 x (31.2 + 92.6) pJ        = 0.123800 J   (DRAM + on-die path, not scaled)
//   static 135 W x 1 ms                 = 0.135000 J      total 0.937934 J
TEST(EnergyModel, EnergyOfACostGolden) {
  EnergyTable t = table_for("h100-sxm", "tsmc-n4");
  Cost c;
  c.time = 1e-3;
  c.flops = 1e12;
  c.bytes = {1e9, 1e9, 1e9, 0};
  EXPECT_NEAR(t.static_w, 135, 1e-9);
  EXPECT_NEAR(energy_of(c, Dtype::bf16, t), 0.67725 + 0.000592 + 0.0012915 + 0.1238 + 0.135,
              1e-6);
  EXPECT_NEAR(average_power(c, Dtype::bf16, t), energy_of(c, Dtype::bf16, t) / 1e-3, 1e-6);
  // 1 GB over NVLink at 1.3 pJ/bit = 10.4 mJ.
  Cost linked = c;
  linked.link_bytes = 1e9;
  EXPECT_NEAR(energy_of(linked, Dtype::bf16, t) - energy_of(c, Dtype::bf16, t), 0.0104, 1e-9);
  // Static power is the only difference between energy_of and dynamic_energy_of.
  EXPECT_NEAR(energy_of(c, Dtype::bf16, t) - dynamic_energy_of(c, Dtype::bf16, t), 0.135, 1e-12);
}

TEST(EnergyModel, StaticPowerIsDeclaredIdleElseAFractionOfTdpElseLeakage) {
  ChipSpec c = load_chip("h100-sxm");
  c.power.idle = 90;
  EXPECT_DOUBLE_EQ(energy_table(c, load_node("tsmc-n4"), 800).static_w, 90);
  c.power.idle = 0;
  c.power.tdp = 1000;
  EXPECT_NEAR(energy_table(c, load_node("tsmc-n4"), 800).static_w, 1000 * 135.0 / 700, 1e-9);
  c.power.tdp = 0;
  EXPECT_NEAR(energy_table(c, load_node("tsmc-n4"), 800).static_w, 0.06 * 800, 1e-9);
}

TEST(EnergyModel, NarrowerDtypesCostLessPerFlop) {
  EnergyTable t = table_for("b200", "tsmc-n4");
  EXPECT_NEAR(t.flop_j.at(Dtype::fp8), t.flop_j.at(Dtype::bf16) * 0.564, 1e-18);
  EXPECT_NEAR(t.flop_j.at(Dtype::fp4), t.flop_j.at(Dtype::bf16) * 0.282, 1e-18);
  EXPECT_NEAR(t.flop_j.at(Dtype::bf16), 1.075 * 0.63 * pJ, 1e-18);
}

TEST(EnergyModel, NodeScalesLogicAndSramNotDram) {
  EnergyTable n7 = table_for("h100-sxm", "tsmc-n7"), n2 = table_for("h100-sxm", "tsmc-n2");
  EXPECT_NEAR(n2.flop_j.at(Dtype::bf16) / n7.flop_j.at(Dtype::bf16), 0.33, 1e-12);
  EXPECT_NEAR(n2.level_byte_j[0] / n7.level_byte_j[0], 0.33, 1e-12);
  EXPECT_DOUBLE_EQ(n2.level_byte_j[2], n7.level_byte_j[2]);
  EXPECT_DOUBLE_EQ(n2.level_byte_j[2], (3.9 * 8 + 92.6) * pJ);  // HBM3 3.9 pJ/bit + on-die path
  EXPECT_EQ(n2.level_kind[2], "HBM3");
}

// Average power of a GEMM run at a measured rate: the model's bytes per level
// and FLOPs over the measured time (operands in `d`, bf16 output).
double gemm_power(const ChipSpec& c, const EnergyTable& t, int64_t m, int64_t n, int64_t k,
                  Dtype d, double tflops) {
  GemmShape s;
  s.m = m, s.n = n, s.k = k, s.compute = d;
  s.a_bytes = s.w_bytes = dtype_bits(d) / 8;
  s.c_bytes = 2;
  Cost cost = gemm_cost(c, s);
  cost.time = 2.0 * m * n * k / (tflops * 1e12);
  return average_power(cost, d, t);
}

// Board power measured on an H100 SXM at its 700 W limit
// (docs/measurements/h100-2026-11-25.md) against the model's average power of
// the same kernel run at the measured throughput. The copy and the bf16 GEMM
// set the on-die path and the 16-bit FLOP energy; the fp8 GEMM set the fp8
// ratio; the weight-streaming GEMM set nothing and is the check.
TEST(EnergyModel, MatchesMeasuredH100BoardPower) {
  ChipSpec c = load_chip("h100-sxm");
  EnergyTable t = energy_table(c, load_node("tsmc-n4"), 814);
  EXPECT_NEAR(gemm_power(c, t, 8192, 8192, 8192, Dtype::bf16, 690), 697, 0.03 * 697);
  EXPECT_NEAR(gemm_power(c, t, 8192, 8192, 8192, Dtype::fp8, 1290), 698, 0.03 * 698);
  EXPECT_NEAR(gemm_power(c, t, 64, 28672, 8192, Dtype::bf16, 175.9), 665, 0.10 * 665);
  Cost copy;
  copy.time = 1;
  copy.bytes[2] = 3.03e12;
  EXPECT_NEAR(average_power(copy, Dtype::bf16, t), 510, 0.01 * 510);
}

// The same kernels on an H200 (same die and node, HBM3e), which set nothing:
// compute-bound GEMMs within 3%, the HBM copy +15% (HBM3e spends less per byte
// than the HBM3 the path energy was solved on), and the weight-streaming GEMM,
// measured at the 700 W cap with its SM clock pulled down to 1755 MHz, is
// modelled above the cap, as a throttling chip must be.
TEST(EnergyModel, ChecksAgainstMeasuredH200BoardPower) {
  ChipSpec c = load_chip("h200-sxm");
  EnergyTable t = energy_table(c, load_node("tsmc-n4"), 814);
  EXPECT_NEAR(gemm_power(c, t, 8192, 8192, 8192, Dtype::bf16, 671.7), 691, 0.03 * 691);
  EXPECT_NEAR(gemm_power(c, t, 8192, 8192, 8192, Dtype::fp8, 1294), 692, 0.03 * 692);
  EXPECT_GT(gemm_power(c, t, 64, 28672, 8192, Dtype::bf16, 257.1), 700);
  Cost copy;
  copy.time = 1;
  copy.bytes[2] = 4.25e12;
  const double p = average_power(copy, Dtype::bf16, t);
  EXPECT_GT(p, 574);
  EXPECT_LT(p, 1.16 * 574);
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
    // Sustained clocks are power-limited, so a compute-bound load sits near the TDP.
    EXPECT_GT(t.estimated_max_w, 0.8 * c.power.tdp) << id << ": " << t.message;
    EXPECT_NEAR(t.estimated_max_w, t.static_w + std::max(t.compute_w, t.memory_w) + t.link_w,
                1e-9);
  }
}

// The energy constants were measured on an H100 (Hopper, TSMC 4N). At their
// quoted peaks (no measured sustained clock) later chips exceed their TDPs
// under those constants: held to the TDP they would run 70-95% of the quoted
// rate, as the H100 itself does (its measured sustained tensor clocks are
// 70-80% of the 1.83 GHz the peaks are quoted at); Gaudi 3 would keep only 49%:
// its systolic MME runs bf16 at the fp8 rate, so the GPU-measured bf16 energy
// per FLOP overstates it about twofold. The set below is the state
// of the model, listed so a change to it is noticed; every other chip with a
// TDP and a process node fits.
TEST(EnergyTdp, PresetsAgainstTheirTdp) {
  // mi325x fits since it takes MI300X's measured sustained tensor clock.
  const std::set<std::string> over = {"b200", "gaudi3", "gb200"};
  int checked = 0;
  for (const std::string& id : list_chips()) {
    ChipSpec c = load_chip(id);
    if (!(c.power.tdp > 0)) continue;
    SheetOptions o;
    o.allow_reticle_overflow = true;
    try {
      SiliconSheet s = silicon_sheet(c, o);
      ++checked;
      EXPECT_EQ(!s.power.within_tdp, over.count(id) == 1) << id << ": " << s.power.message;
      EXPECT_GT(std::min(s.power.compute_fraction, s.power.memory_fraction), 0.45)
          << id << ": " << s.power.message;
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
