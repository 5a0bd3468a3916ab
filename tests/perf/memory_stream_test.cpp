// Memory streaming: bytes over achievable main-memory bandwidth plus a launch.
#include <gtest/gtest.h>

#include "config/error.hpp"
#include "hardware/chip_loader.hpp"
#include "perf/ops.hpp"

namespace cw {
namespace {

ChipSpec stream_chip() {
  ChipSpec c;
  c.id = "stream";
  c.matrix.cores = 2;
  c.memory.push_back({"sram", true, 1e6, 1e13, "", 0});
  c.memory.push_back({"hbm", false, 1e10, 2e12, "HBM3", 4});
  c.efficiency.memory_bandwidth = 0.8;
  c.efficiency.kernel_launch = 5e-6;
  return c;
}

TEST(MemoryStreamGolden, BytesOverAchievableBandwidthPlusLaunch) {
  // 1.6 GB at 0.8 x 2 TB/s = 1 ms, plus 5 us.
  Cost c = memory_stream_cost(stream_chip(), 1.6e9);
  EXPECT_DOUBLE_EQ(c.memory_time, 1e-3);
  EXPECT_DOUBLE_EQ(c.overhead_time, 5e-6);
  EXPECT_DOUBLE_EQ(c.time, 1e-3 + 5e-6);
  EXPECT_DOUBLE_EQ(c.bytes[1], 1.6e9);
  EXPECT_EQ(c.bytes[0], 0);
  EXPECT_EQ(c.bound, Bound::memory);
}

TEST(MemoryStreamGolden, TinyStreamIsLaunchBound) {
  Cost c = memory_stream_cost(stream_chip(), 1024);
  EXPECT_EQ(c.bound, Bound::overhead);
  EXPECT_THROW(memory_stream_cost(stream_chip(), -1), UserError);
}

TEST(MemoryStreamProperty, EveryPresetNeverBeatsPeakAndScalesWithBandwidth) {
  for (const auto& id : list_chips()) {
    SCOPED_TRACE(id);
    ChipSpec chip = load_chip(id);
    for (double bytes : {1e3, 1e6, 1e9, 1e11}) {
      Cost c = memory_stream_cost(chip, bytes);
      EXPECT_GE(c.time, bytes / chip.main_memory().bandwidth);
      ChipSpec faster = chip;
      faster.memory.back().bandwidth *= 2;
      EXPECT_LE(memory_stream_cost(faster, bytes).time, c.time);
    }
  }
}

}  // namespace
}  // namespace cw
