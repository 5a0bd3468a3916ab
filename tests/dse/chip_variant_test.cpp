// Building a design's chip: scaling rules, dies and TDP.
#include "dse/chip_variant.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "silicon/area_model.hpp"
#include "silicon/energy_model.hpp"
#include "silicon/process_node.hpp"

namespace cw {
namespace {

DesignSpace space(const std::string& name, const std::string& knobs) {
  const std::string path = testing::TempDir() + name;
  std::ofstream(path) << "base: sf2-inference\nworkload: {model: llama3.1-8b}\nknobs:\n" << knobs;
  return load_design_space(path);
}

TEST(ChipVariant, CoresAndClockScaleComputeAndOnChipBandwidthNotHbm) {
  const DesignSpace s =
      space("scale.yaml", "  cores: [96, 192]\n  clock: [\"1.5 GHz\", \"0.75 GHz\"]\n");
  const ChipSpec& base = s.base_chip;
  const ChipSpec same = chip_variant(s, {0, 0});
  EXPECT_DOUBLE_EQ(same.peak_flops(Dtype::fp8), base.peak_flops(Dtype::fp8));
  // Twice the cores at half the clock: the same throughput.
  const ChipSpec wide = chip_variant(s, {1, 1});
  EXPECT_EQ(wide.matrix.cores, 192);
  EXPECT_DOUBLE_EQ(wide.matrix.clock_hz, 0.75e9);
  EXPECT_NEAR(wide.peak_flops(Dtype::bf16), base.peak_flops(Dtype::bf16), 1);
  const ChipSpec big = chip_variant(s, {1, 0});
  EXPECT_NEAR(big.peak_flops(Dtype::fp4), 2 * base.peak_flops(Dtype::fp4), 1);
  EXPECT_NEAR(big.vector.flops, 2 * base.vector.flops, 1);
  EXPECT_NEAR(big.vector.special_function_ops, 2 * base.vector.special_function_ops, 1);
  for (size_t i = 0; i + 1 < base.memory.size(); ++i) {
    EXPECT_NEAR(big.memory[i].bandwidth, 2 * base.memory[i].bandwidth, 1) << base.memory[i].name;
    EXPECT_DOUBLE_EQ(big.memory[i].capacity, base.memory[i].capacity) << base.memory[i].name;
  }
  EXPECT_DOUBLE_EQ(big.main_memory().bandwidth, base.main_memory().bandwidth);
  // A variant is costed from its silicon, not sold at the base chip's price.
  EXPECT_EQ(big.price, 0);
  EXPECT_EQ(big.die.area_mm2, 0);
}

TEST(ChipVariant, ClockKeepsTheSustainedFractionOnGpus) {
  const std::string path = testing::TempDir() + "gpu.yaml";
  std::ofstream(path) << "base: h100-sxm\nworkload: {model: llama3.1-8b}\n"
                         "knobs: {clock: [\"0.9 GHz\"]}\n";
  const DesignSpace s = load_design_space(path);
  const ChipSpec c = chip_variant(s, {0});
  const double ratio = 0.9e9 / s.base_chip.matrix.clock_hz;
  for (const auto& [dtype, hz] : s.base_chip.efficiency.tensor_clock_hz)
    EXPECT_NEAR(c.efficiency.tensor_clock_hz.at(dtype), hz * ratio, 1);
  EXPECT_NEAR(c.sustained_flops(Dtype::bf16), s.base_chip.sustained_flops(Dtype::bf16) * ratio,
              1e3);
}

TEST(ChipVariant, ArraySideSetsTheGranuleAndScalesThePeaks) {
  // sf2-inference: 64 x 64 arrays (granule n = k = 64).
  const DesignSpace s = space("array.yaml", "  array: [32, 128]\n");
  const ChipSpec small = chip_variant(s, {0}), big = chip_variant(s, {1});
  EXPECT_EQ(big.matrix.granule_n, 128);
  EXPECT_EQ(big.matrix.granule_k, 128);
  EXPECT_EQ(big.matrix.granule_m, s.base_chip.matrix.granule_m);
  EXPECT_NEAR(big.peak_flops(Dtype::fp8), 4 * s.base_chip.peak_flops(Dtype::fp8), 1);
  EXPECT_NEAR(small.peak_flops(Dtype::bf16), s.base_chip.peak_flops(Dtype::bf16) / 4, 1);
  // The silicon model sizes the matrix units from the peaks: bigger arrays, more area.
  const ProcessNode node = load_node("samsung-sf2");
  EXPECT_GT(estimate_area(big, node).area_of("matrix units"),
            3.9 * estimate_area(s.base_chip, node).area_of("matrix units"));
}

TEST(ChipVariant, HbmStacksScaleBandwidthAndCapacity) {
  const DesignSpace s = space("hbm.yaml",
                              "  hbm_stacks: [4, 8]\n  hbm_stack_bandwidth: [\"2 TB/s\"]\n"
                              "  hbm_stack_capacity: [\"48 GB\"]\n");
  const ChipSpec four = chip_variant(s, {0, 0, 0});
  EXPECT_EQ(four.main_memory().stacks, 4);
  EXPECT_DOUBLE_EQ(four.main_memory().bandwidth, 8e12);
  EXPECT_DOUBLE_EQ(four.main_memory().capacity, 192e9);
  // The HBM generation: HBM4's 2048-bit PHYs take more area, its bits less energy.
  const DesignSpace gen = space("hbmtype.yaml", "  hbm_type: [HBM3E, HBM4]\n");
  const ChipSpec e3 = chip_variant(gen, {0}), h4 = chip_variant(gen, {1});
  EXPECT_EQ(h4.main_memory().type, "HBM4");
  const ProcessNode node = load_node("samsung-sf2");
  EXPECT_GT(estimate_area(h4, node).total_mm2, estimate_area(e3, node).total_mm2);
  EXPECT_LT(h4.power.tdp, e3.power.tdp);  // the memory-bound point sets this design's power
  const DesignSpace only = space("stacks.yaml", "  hbm_stacks: [4]\n");
  const ChipSpec half = chip_variant(only, {0});
  EXPECT_DOUBLE_EQ(half.main_memory().bandwidth, only.base_chip.main_memory().bandwidth / 2);
  EXPECT_DOUBLE_EQ(half.main_memory().capacity, only.base_chip.main_memory().capacity / 2);
}

TEST(ChipVariant, FewestDiesThatFitTheReticle) {
  const DesignSpace s = space("dies.yaml", "  cores: [32, 96, 400]\n  hbm_stacks: [2, 8]\n");
  const ProcessNode node = load_node("samsung-sf2");
  for (int c = 0; c < 3; ++c) {
    for (int h = 0; h < 2; ++h) {
      ChipSpec v = chip_variant(s, {c, h});
      const AreaBreakdown a = estimate_area(v, node);
      EXPECT_LE(a.per_die_mm2, a.reticle_mm2) << v.matrix.cores << " cores";
      if (v.die.dies > 1) {
        ChipSpec fewer = v;
        fewer.die.dies -= 1;
        EXPECT_GT(estimate_area(fewer, node).per_die_mm2, a.reticle_mm2);
      }
    }
  }
  EXPECT_EQ(chip_variant(s, {0, 0}).die.dies, 1);
  EXPECT_GE(chip_variant(s, {2, 1}).die.dies, 3);
}

TEST(ChipVariant, AVariantEqualToARealChipKeepsItsDieCount) {
  // The area model sizes H100 at ~873 mm2, over the 858 mm2 reticle; the real
  // die is 814 mm2. Anchored to it, an unchanged H100 stays one die, and 20%
  // more SMs need two.
  const std::string path = testing::TempDir() + "h100.yaml";
  std::ofstream(path) << "base: h100-sxm\nworkload: {model: llama3.1-8b}\n"
                         "knobs: {cores: [132, 160]}\n";
  const DesignSpace s = load_design_space(path);
  EXPECT_NEAR(s.area_anchor, 814.0 / 873, 0.02);
  EXPECT_EQ(chip_variant(s, {0}).die.dies, 1);
  EXPECT_EQ(chip_variant(s, {1}).die.dies, 2);
  // A base without a published area is not anchored.
  EXPECT_EQ(space("noanchor.yaml", "  cores: [96]\n").area_anchor,
            load_design_space("sf2-sweep").area_anchor);
}

TEST(ChipVariant, TdpIsTheSustainedLoadPowerUnlessSet) {
  const DesignSpace s = space("tdp.yaml", "  cores: [64, 160]\n  hbm_stacks: [4, 8]\n");
  const ProcessNode node = load_node("samsung-sf2");
  auto tdp = [&](int c, int h) {
    const ChipSpec v = chip_variant(s, {c, h});
    const TdpCheck t = check_tdp(v, energy_table(v, node, estimate_area(v, node).total_mm2));
    EXPECT_NEAR(t.estimated_max_w, v.power.tdp, 0.01);
    return v.power.tdp;
  };
  // The memory-bound point sets this design's power: more stacks draw more,
  // more cores (compute-bound point still below it) do not.
  EXPECT_GT(tdp(0, 1), tdp(0, 0));
  EXPECT_GE(tdp(1, 1), tdp(0, 1));
  EXPECT_GE(tdp(1, 0), tdp(0, 0));
  const DesignSpace fixed = space("tdpset.yaml", "  cores: [160]\n  tdp: [\"900 W\"]\n");
  EXPECT_DOUBLE_EQ(chip_variant(fixed, {0, 0}).power.tdp, 900);
}

TEST(ChipVariant, NodeAndLinksAndLevels) {
  const DesignSpace s =
      space("misc.yaml",
            "  node: [tsmc-n3e]\n  links: [32]\n  link_bandwidth: [\"100 GB/s\"]\n"
            "  memory.global_buffer.capacity: [\"64 MiB\"]\n"
            "  memory.local.bandwidth: [\"100 TB/s\"]\n");
  const ChipSpec v = chip_variant(s, {0, 0, 0, 0, 0});
  EXPECT_EQ(v.die.process, "tsmc-n3e");
  EXPECT_EQ(v.links.count, 32);
  EXPECT_DOUBLE_EQ(v.links.bandwidth_per_link, 100e9);
  EXPECT_DOUBLE_EQ(v.memory[1].capacity, 64.0 * (1 << 20));
  EXPECT_DOUBLE_EQ(v.memory[0].bandwidth, 100e12);
}

}  // namespace
}  // namespace cw
