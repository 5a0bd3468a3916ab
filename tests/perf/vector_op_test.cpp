// Vector-unit ops: time = max(flops / vector rate, special / SFU rate,
// bytes / achievable bandwidth) + one kernel launch, with the matching bound.
#include <gtest/gtest.h>

#include <random>

#include "config/error.hpp"
#include "hardware/chip_loader.hpp"
#include "perf/ops.hpp"

namespace cw {
namespace {

// 1e12 FP32 FLOP/s, 1e11 exp/s, 1 TB/s HBM at 80%, 2 us launch.
ChipSpec vec_chip() {
  ChipSpec c;
  c.id = "vec";
  c.matrix.peak_flops[Dtype::bf16] = 1e14;
  c.vector.flops = 1e12;
  c.vector.special_function_ops = 1e11;
  c.memory.push_back({"hbm", false, 1e9, 1e12, "HBM3", 1});
  c.efficiency.memory_bandwidth = 0.8;
  c.efficiency.kernel_launch = 2e-6;
  return c;
}

TEST(VectorOp, MemoryBoundGolden) {
  // RMSNorm of 4096 x 8192 bf16: read x and write y, 4 FLOPs and 1 rsqrt per row element.
  VectorOpShape s{4096 * 8192, 4, 0, 4096 * 8192 * 2.0, 4096 * 8192 * 2.0};
  Cost c = vector_op_cost(vec_chip(), s);
  double bytes = 4 * 4096 * 8192.0;
  EXPECT_DOUBLE_EQ(c.time, bytes / 0.8e12 + 2e-6);
  EXPECT_DOUBLE_EQ(c.bytes[0], bytes);
  EXPECT_DOUBLE_EQ(c.flops, 4.0 * 4096 * 8192);
  EXPECT_EQ(c.bound, Bound::memory);
}

TEST(VectorOp, FlopBoundGolden) {
  VectorOpShape s{1'000'000, 100, 0, 1e6, 1e6};
  Cost c = vector_op_cost(vec_chip(), s);
  EXPECT_DOUBLE_EQ(c.time, 1e8 / 1e12 + 2e-6);
  EXPECT_EQ(c.bound, Bound::vector);
}

TEST(VectorOp, SpecialFunctionBoundGolden) {
  // Softmax-like: 1 exp per element on the SFUs dominates 5 FLOPs on the ALUs.
  VectorOpShape s{50'000'000, 5, 1, 0, 0};
  Cost c = vector_op_cost(vec_chip(), s);
  EXPECT_DOUBLE_EQ(c.time, 5e7 / 1e11 + 2e-6);
  EXPECT_EQ(c.bound, Bound::vector);
}

TEST(VectorOp, TinyOpIsLaunchBound) {
  Cost c = vector_op_cost(vec_chip(), VectorOpShape{16, 1, 0, 64, 64});
  EXPECT_NEAR(c.time, 2e-6, 1e-9);
  EXPECT_EQ(c.bound, Bound::overhead);
}

TEST(VectorOp, NegativeInputIsUserError) {
  EXPECT_THROW(vector_op_cost(vec_chip(), VectorOpShape{-1, 1, 0, 0, 0}), UserError);
}

TEST(VectorOp, RooflineAndBandwidthMonotoneOnEveryPreset) {
  std::mt19937_64 rng(3);
  for (const auto& id : list_chips()) {
    ChipSpec chip = load_chip(id);
    ChipSpec fast = chip;
    for (auto& m : fast.memory) m.bandwidth *= 2;
    for (int i = 0; i < 50; ++i) {
      VectorOpShape s{int64_t(rng() % 100'000'000), double(rng() % 20), double(rng() % 3), 0, 0};
      s.bytes_read = double(s.elements) * double(1 + rng() % 4);
      s.bytes_written = double(s.elements) * double(rng() % 4);
      Cost c = vector_op_cost(chip, s);
      double roof = std::max({c.flops / chip.vector.flops,
                              (s.bytes_read + s.bytes_written) / chip.main_memory().bandwidth});
      EXPECT_GE(c.time, roof) << id;
      EXPECT_LE(vector_op_cost(fast, s).time, c.time) << id;
    }
  }
}

}  // namespace
}  // namespace cw
