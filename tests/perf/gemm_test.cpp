// GEMM cost model: analytic goldens on a toy chip, and properties over random
// shapes on the toy chip and every shipped preset.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <string>

#include "config/error.hpp"
#include "hardware/chip_loader.hpp"
#include "perf/gemm_cache.hpp"
#include "perf/gemm_mapping.hpp"
#include "perf/ops.hpp"

namespace cw {
namespace {

constexpr double kLaunch = 2e-6;

// 4 cores of 1 TFLOP/s bf16 each at 1 GHz, granule 16x16x16; per-core SRAM
// of 256 KiB filled at 1 TB/s per core; main memory 100 GB/s, fully achievable.
ChipSpec toy_chip() {
  ChipSpec c;
  c.id = "toy";
  c.matrix.cores = 4;
  c.matrix.granule_m = c.matrix.granule_n = c.matrix.granule_k = 16;
  c.matrix.peak_flops[Dtype::bf16] = 4e12;
  c.matrix.peak_flops[Dtype::fp8] = 8e12;
  c.matrix.clock_hz = 1e9;
  c.vector.flops = 1e12;
  c.memory.push_back({"sram", true, 256.0 * 1024, 4e12, "", 0});
  c.memory.push_back({"dram", false, 64e9, 100e9, "DDR", 0});
  c.efficiency.memory_bandwidth = 1.0;
  c.efficiency.kernel_launch = kLaunch;
  return c;
}

// The toy chip with a 1 MB shared cache (10 TB/s) between SRAM and DRAM.
ChipSpec toy_chip_with_cache() {
  ChipSpec c = toy_chip();
  c.memory.insert(c.memory.begin() + 1, {"l2", false, 1e6, 10e12, "", 0});
  return c;
}

GemmShape bf16(int64_t m, int64_t n, int64_t k) {
  GemmShape s;
  s.m = m;
  s.n = n;
  s.k = k;
  return s;
}

TEST(GemmGolden, ComputeBoundIsFlopsOverPeakPlusLaunch) {
  ChipSpec c = toy_chip();
  c.memory.back().bandwidth = 1e15;  // memory never limits
  // 2·512³ FLOP over 4 TFLOP/s = 67.108864 us; every mapping fills whole waves,
  // and pipeline fill is nanoseconds.
  Cost cost = gemm_cost(c, bf16(512, 512, 512));
  EXPECT_NEAR(cost.time, 2.0 * 512 * 512 * 512 / 4e12 + kLaunch, 1e-3 * cost.time);
  EXPECT_EQ(cost.bound, Bound::compute);
  EXPECT_DOUBLE_EQ(cost.flops, 2.0 * 512 * 512 * 512);
}

TEST(GemmGolden, WeightStreamingIsBytesOverBandwidthPlusLaunch) {
  ChipSpec c = toy_chip();
  // m = 1: 4096x4096 bf16 weights = 33.55 MB at 100 GB/s = 335.5 us; padded
  // compute (16 rows) is 134 us. A (8 KiB) is re-read once per tile column.
  Cost cost = gemm_cost(c, bf16(1, 4096, 4096));
  const double weights = 4096.0 * 4096 * 2;
  EXPECT_NEAR(cost.time, weights / 100e9 + kLaunch, 0.01 * cost.time);
  EXPECT_EQ(cost.bound, Bound::memory);
  EXPECT_GE(cost.bytes[1], weights + 4096 * 2 * 2);
}

TEST(GemmGolden, RowsArePaddedToTheGranule) {
  ChipSpec c = toy_chip();
  c.memory.back().bandwidth = 1e15;  // compute-bound
  double t1 = gemm_cost(c, bf16(1, 2048, 2048)).time - kLaunch;
  double t16 = gemm_cost(c, bf16(16, 2048, 2048)).time - kLaunch;
  double t17 = gemm_cost(c, bf16(17, 2048, 2048)).time - kLaunch;
  // m = 1 pays for 16 rows: 2·16·2048² / 4e12 = 33.55 us.
  EXPECT_NEAR(t1, 2.0 * 16 * 2048 * 2048 / 4e12, 1e-3 * t1);
  EXPECT_NEAR(t1, t16, 1e-3 * t16);
  // m = 17 pads to 32 rows: twice the work.
  EXPECT_NEAR(t17, 2 * t16, 1e-2 * t16);
}

TEST(GemmGolden, OneTileMoreThanCoresCostsTwoWaves) {
  ChipSpec c = toy_chip();
  c.memory.back().bandwidth = 1e15;
  const GemmMapping mp{16, 16, 16, 1};
  // Tile compute: 2·16·16·1024 / 1e12 per core = 0.524288 us.
  const double t_tile = 2.0 * 16 * 16 * 1024 / 1e12;
  auto four = evaluate_gemm_mapping(c, bf16(16, 64, 1024), mp);  // 4 tiles = cores
  auto five = evaluate_gemm_mapping(c, bf16(16, 80, 1024), mp);  // 5 tiles
  ASSERT_TRUE(four.valid && five.valid);
  EXPECT_EQ(four.tiles, 4);
  EXPECT_EQ(four.waves, 1);
  EXPECT_EQ(five.tiles, 5);
  EXPECT_EQ(five.waves, 2);
  EXPECT_DOUBLE_EQ(four.cost.compute_time, t_tile);
  EXPECT_DOUBLE_EQ(five.cost.compute_time, 2 * t_tile);
  EXPECT_NEAR(five.cost.time - five.cost.overhead_time, 2 * t_tile, 1e-12);
}

TEST(GemmGolden, TileMustFitDoubleBufferedInSram) {
  ChipSpec c = toy_chip();
  // (256 + 256)·64·2 B = 64 KiB per stage, 128 KiB double-buffered: fits 256 KiB.
  EXPECT_TRUE(evaluate_gemm_mapping(c, bf16(512, 512, 512), {256, 256, 64, 1}).valid);
  c.memory.front().capacity = 100.0 * 1024;
  EXPECT_FALSE(evaluate_gemm_mapping(c, bf16(512, 512, 512), {256, 256, 64, 1}).valid);
}

// On a chip that accumulates in its per-core level, tiles beyond 256 per side
// keep their fp32 accumulators there: 512x512 needs 1 MiB of accumulators +
// 2·(512+512)·16·2 B = 64 KiB of stages, so it is a candidate with 2 MiB per
// core and not with 256 KiB.
TEST(GemmGolden, LargeTilesNeedTheirAccumulatorsInTheCoreLevel) {
  ChipSpec c = toy_chip();
  const GemmMapping big{512, 512, 16, 1};
  auto has_big = [&](const ChipSpec& chip) {
    for (const GemmMapping& mp : gemm_mapping_candidates(chip, bf16(4096, 4096, 4096)))
      if (mp.mt == 512 && mp.nt == 512) return true;
    return false;
  };
  c.matrix.accumulate_in_core_memory = true;
  EXPECT_FALSE(evaluate_gemm_mapping(c, bf16(4096, 4096, 4096), big).valid);
  EXPECT_FALSE(has_big(c));
  c.memory.front().capacity = 2.0 * 1024 * 1024;
  EXPECT_TRUE(evaluate_gemm_mapping(c, bf16(4096, 4096, 4096), big).valid);
  EXPECT_TRUE(has_big(c));
  // Accumulating in registers, the same SRAM holds no tile beyond 256.
  c.matrix.accumulate_in_core_memory = false;
  EXPECT_FALSE(evaluate_gemm_mapping(c, bf16(4096, 4096, 4096), big).valid);
  EXPECT_FALSE(has_big(c));
  // A TPU v6e (64 MiB of VMEM per MXU) runs a large bf16 GEMM compute-bound:
  // with register-sized tiles (<= 256 x 1024) it re-read the operands from HBM
  // and ran at 270 of 918 TFLOP/s.
  ChipSpec tpu = load_chip("tpu-v6e");
  const Cost t = gemm_cost(tpu, bf16(8192, 8192, 8192));
  EXPECT_EQ(t.bound, Bound::compute);
  EXPECT_GT(2.0 * 8192 * 8192 * 8192 / t.time, 0.95 * 918e12);
  // GPUs keep accumulators in registers: no H100 tile beyond 256 per side.
  for (const GemmMapping& mp :
       gemm_mapping_candidates(load_chip("h100-sxm"), bf16(8192, 8192, 8192))) {
    EXPECT_LE(std::max(mp.mt, mp.nt), 256);
  }
}

TEST(GemmGolden, SplitKFillsIdleCores) {
  ChipSpec c = toy_chip();
  c.memory.back().bandwidth = 1e15;
  // One 16x16 output tile, k = 65536: unsplit it runs on one core for
  // 2·16·16·65536 / 1e12 = 33.55 us; split 4 ways it takes a quarter.
  GemmShape s = bf16(16, 16, 65536);
  auto best = search_gemm_mapping(c, s);
  EXPECT_EQ(best.mapping.split_k, 4);
  const double unsplit = 2.0 * 16 * 16 * 65536 / 1e12;
  EXPECT_NEAR(best.cost.compute_time, unsplit / 4, 1e-12);
  EXPECT_LT(gemm_cost(c, s).time, unsplit / 4 * 1.01 + kLaunch);
}

TEST(GemmGolden, FewTilesCannotPullFullBandwidth) {
  ChipSpec c = toy_chip();
  c.memory.front().bandwidth = 40e9;  // each core's port: 10 GB/s of the 100 GB/s DRAM
  // One tile (16x16 output), memory-bound: one core streams 16·65536·2 B of A
  // and of W through its 10 GB/s port, unless split-K spreads it over 4 cores.
  GemmShape s = bf16(16, 16, 65536);
  auto one = evaluate_gemm_mapping(c, s, {16, 16, 64, 1});
  auto four = evaluate_gemm_mapping(c, s, {16, 16, 64, 4});
  const double operands = 2.0 * 16 * 65536 * 2;
  EXPECT_NEAR(one.cost.memory_time, (operands + 16 * 16 * 2) / 10e9, 1e-3 * one.cost.memory_time);
  EXPECT_LT(four.cost.time, one.cost.time / 3);
  // The search spreads the one tile over all 4 cores: split-K 4 or stream-K.
  const GemmMapping chosen = search_gemm_mapping(c, s).mapping;
  EXPECT_TRUE(chosen.split_k == 4 || chosen.stream_k == 4);
}

TEST(GemmGolden, SharedCacheReadsOperandsOnceWhenTheyFit) {
  ChipSpec c = toy_chip_with_cache();
  // A 256x256 + W 256x256 bf16 = 256 KiB fits the 1 MB cache: DRAM sees A, W
  // and C exactly once whatever the tiling; the cache sees the tile stream.
  GemmShape s = bf16(256, 256, 256);
  auto r = evaluate_gemm_mapping(c, s, {16, 16, 64, 1});
  const double unique = 3.0 * 256 * 256 * 2;
  EXPECT_DOUBLE_EQ(r.cost.bytes[2], unique);
  // 16 tile columns each read all of A; 16 tile rows each read all of W.
  EXPECT_DOUBLE_EQ(r.cost.bytes[1], 16.0 * 256 * 256 * 2 * 2 + 256 * 256 * 2);
  // 2048x2048 operands (16 MB) do not fit: DRAM traffic exceeds unique bytes.
  auto big = evaluate_gemm_mapping(c, bf16(2048, 2048, 2048), {256, 256, 64, 1});
  EXPECT_GT(big.cost.bytes[2], 3.0 * 2048 * 2048 * 2);
}

TEST(GemmGolden, DynamicQuantisationAddsAmaxAndQuantiseKernels) {
  ChipSpec c = toy_chip();
  GemmShape s = bf16(64, 4096, 4096);
  s.compute = Dtype::fp8;
  s.a_bytes = s.w_bytes = 1;
  ASSERT_EQ(s.activation_quant, ActivationQuant::none);  // the default: no extra kernel
  const Cost plain = gemm_cost(c, s);
  s.activation_quant = ActivationQuant::dynamic;
  const Cost dyn = gemm_cost(c, s);
  // amax: reads the bf16 activations (2 B each), writes one fp32 scale;
  // quantise: reads them again and writes fp8 (1 B each); each at 100 GB/s
  // with its own launch.
  const double elements = 64.0 * 4096;
  const double amax = (elements * 2 + 4) / 100e9 + kLaunch;
  const double quant = elements * (2 + 1) / 100e9 + kLaunch;
  EXPECT_NEAR(dyn.time, plain.time + amax + quant, 1e-12);
  EXPECT_NEAR(dyn.overhead_time, plain.overhead_time + 2 * kLaunch, 1e-15);
  EXPECT_DOUBLE_EQ(dyn.bytes[1], plain.bytes[1] + elements * 5 + 4);
  // A different mode is a different cache key.
  GemmCache cache(c);
  GemmShape plain_shape = s;
  plain_shape.activation_quant = ActivationQuant::none;
  EXPECT_NE(cache.get(s).time, cache.get(plain_shape).time);
}

TEST(GemmGolden, ClusterSharesTheWeightTileOfNeighbouringRows) {
  // 4 tile rows x 4 tile columns of 64x64 on the cached toy chip. Without
  // sharing the cache sends W once per tile row (4x); with cluster 2, once
  // per pair of rows (2x). A is unchanged (once per tile column).
  ChipSpec c = toy_chip_with_cache();
  const GemmShape s = bf16(256, 256, 256);
  const GemmMapping mp{64, 64, 64, 1};
  const double a1 = 256.0 * 256 * 2, w1 = a1, c1 = a1;
  auto solo = evaluate_gemm_mapping(c, s, mp);
  EXPECT_DOUBLE_EQ(solo.cost.bytes[1], 4 * a1 + 4 * w1 + c1);
  c.matrix.cluster = 2;
  auto pair = evaluate_gemm_mapping(c, s, mp);
  EXPECT_DOUBLE_EQ(pair.cost.bytes[1], 4 * a1 + 2 * w1 + c1);
  // Each core still fills its SRAM with its full operand stream, and DRAM
  // (operands fit the cache) sees the same unique bytes.
  EXPECT_DOUBLE_EQ(pair.cost.bytes[0], solo.cost.bytes[0]);
  EXPECT_DOUBLE_EQ(pair.cost.bytes[2], solo.cost.bytes[2]);
  // Three tile rows: W leaves the cache ceil(3 / 2) = 2 times. One tile row
  // (small m): nothing to share.
  EXPECT_DOUBLE_EQ(evaluate_gemm_mapping(c, bf16(192, 256, 256), mp).cost.bytes[1],
                   4 * (192.0 * 256 * 2) + 2 * w1 + 192.0 * 256 * 2);
  EXPECT_DOUBLE_EQ(evaluate_gemm_mapping(c, bf16(64, 256, 256), mp).cost.bytes[1],
                   4 * (64.0 * 256 * 2) + 1 * w1 + 64.0 * 256 * 2);
}

TEST(GemmGolden, UnsupportedDtypeIsAUserError) {
  GemmShape s = bf16(16, 16, 16);
  s.compute = Dtype::fp4;
  try {
    gemm_cost(toy_chip(), s);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(
        std::string(e.what()).find("chip toy has no fp4 matrix support; supported: bf16, fp8"),
        std::string::npos)
        << e.what();
  }
  EXPECT_THROW(gemm_cost(toy_chip(), bf16(0, 16, 16)), UserError);
}

TEST(GemmGolden, RooflineIsFlopsOrUniqueBytes) {
  ChipSpec c = toy_chip();
  EXPECT_DOUBLE_EQ(gemm_roofline(c, bf16(512, 512, 512)), 2.0 * 512 * 512 * 512 / 4e12);
  EXPECT_DOUBLE_EQ(gemm_roofline(c, bf16(1, 4096, 4096)),
                   (4096.0 + 4096.0 * 4096 + 4096) * 2 / 100e9);
}

// ---- properties ---------------------------------------------------------

double element_bytes(Dtype d) {
  if (d == Dtype::fp4 || d == Dtype::int4) return 0.5625;  // with nvfp4 block scales
  return dtype_bits(d) / 8;
}

std::vector<GemmShape> random_shapes(const ChipSpec& chip, int count, uint32_t seed) {
  std::mt19937 rng(seed);
  auto dim = [&rng](double hi) {
    std::uniform_real_distribution<double> u(0, std::log2(hi));
    return static_cast<int64_t>(std::pow(2.0, u(rng)));
  };
  std::vector<Dtype> dtypes;
  for (const auto& [d, peak] : chip.matrix.peak_flops) dtypes.push_back(d);
  std::vector<GemmShape> out;
  for (int i = 0; i < count; ++i) {
    GemmShape s;
    s.m = dim(32768);
    s.n = dim(32768);
    s.k = dim(32768);
    s.batch = i % 5 == 0 ? 1 + dim(64) : 1;
    s.compute = dtypes[rng() % dtypes.size()];
    s.a_bytes = s.w_bytes = element_bytes(s.compute);
    s.c_bytes = 2;
    s.activation_quant =
        s.a_bytes < 2 && i % 2 == 0 ? ActivationQuant::dynamic : ActivationQuant::none;
    out.push_back(s);
  }
  return out;
}

std::string describe(const ChipSpec& c, const GemmShape& s) {
  return c.id + " m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) +
         " k=" + std::to_string(s.k) + " batch=" + std::to_string(s.batch) + " " +
         std::string(dtype_name(s.compute));
}

// A bigger chip of the same cores: twice the cores, peak and per-core-level
// bandwidth, so each core keeps its FLOP/s, SRAM and port. (A chip whose
// nearest level is shared gets twice that level too.)
ChipSpec doubled_cores(ChipSpec c) {
  c.matrix.cores *= 2;
  for (auto& [d, p] : c.matrix.peak_flops) p *= 2;
  for (auto& lv : c.memory) {
    if (lv.per_core) lv.bandwidth *= 2;
  }
  if (!c.memory.front().per_core) {
    c.memory.front().capacity *= 2;
    c.memory.front().bandwidth *= 2;
  }
  return c;
}

void check_properties(const ChipSpec& chip, int count, uint32_t seed) {
  ChipSpec more_bw = chip;
  more_bw.memory.back().bandwidth *= 2;
  ChipSpec more_peak = chip;
  for (auto& [d, p] : more_peak.matrix.peak_flops) p *= 2;
  ChipSpec more_cores = doubled_cores(chip);
  ChipSpec more_sharing = chip;
  more_sharing.matrix.cluster *= 2;
  GemmCache cache(chip);
  for (const auto& s : random_shapes(chip, count, seed)) {
    SCOPED_TRACE(describe(chip, s));
    Cost base = gemm_cost(chip, s);
    EXPECT_GE(base.time, gemm_roofline(chip, s));
    EXPECT_GT(base.time, 0);
    const double slack = 1e-9 * base.time;
    EXPECT_LE(gemm_cost(more_bw, s).time, base.time + slack);
    EXPECT_LE(gemm_cost(more_peak, s).time, base.time + slack);
    EXPECT_LE(gemm_cost(more_cores, s).time, base.time + slack);
    EXPECT_LE(gemm_cost(more_sharing, s).time, base.time + slack);
    const Cost& memo = cache.get(s);
    EXPECT_EQ(memo.time, base.time);
    EXPECT_EQ(memo.bytes, base.bytes);
    EXPECT_EQ(&cache.get(s), &memo);
  }
}

TEST(GemmProperty, ToyChips) {
  check_properties(toy_chip(), 300, 1);
  check_properties(toy_chip_with_cache(), 300, 2);
}

TEST(GemmProperty, EveryPreset) {
  auto ids = list_chips();
  ASSERT_FALSE(ids.empty());
  uint32_t seed = 100;
  for (const auto& id : ids) check_properties(load_chip(id), 60, seed++);
}

// The chip with twice the capacity at the level the operand tiles live in
// (the first per-core level, or the nearest level when none is per-core).
ChipSpec doubled_core_sram(ChipSpec c) {
  auto it = std::find_if(c.memory.begin(), c.memory.end(),
                         [](const MemoryLevel& lv) { return lv.per_core; });
  (it == c.memory.end() ? c.memory.front() : *it).capacity *= 2;
  return c;
}

// More per-core SRAM only widens the mapping search (every k-step that fitted
// still fits), so it can never make a GEMM slower.
TEST(GemmProperty, MorePerCoreSramNeverSlower) {
  auto ids = list_chips();
  ASSERT_FALSE(ids.empty());
  uint32_t seed = 500;
  for (const auto& id : ids) {
    const ChipSpec chip = load_chip(id);
    const ChipSpec bigger = doubled_core_sram(chip);
    std::vector<GemmShape> shapes = random_shapes(chip, 200, seed++);
    for (auto [m, n, k, b] : std::vector<std::array<int64_t, 4>>{{132, 4096, 14336, 8},
                                                                 {1, 8192, 8192, 1}}) {
      for (const auto& [d, peak] : chip.matrix.peak_flops) {
        GemmShape s;
        s.m = m;
        s.n = n;
        s.k = k;
        s.batch = b;
        s.compute = d;
        s.a_bytes = s.w_bytes = element_bytes(d);
        shapes.push_back(s);
      }
    }
    for (const auto& s : shapes) {
      SCOPED_TRACE(describe(chip, s));
      const double base = gemm_cost(chip, s).time;
      EXPECT_LE(gemm_cost(bigger, s).time, base * (1 + 1e-9));
    }
  }
}

}  // namespace
}  // namespace cw
