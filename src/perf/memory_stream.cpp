// memory_stream_cost: a STREAM-style copy/triad through main memory. Every
// byte crosses main memory once at the achievable bandwidth (the preset's
// efficiency.memory_bandwidth, itself a streaming measurement), plus one
// kernel launch.
#include <algorithm>
#include <string>

#include "config/error.hpp"
#include "perf/ops.hpp"

namespace cw {

Cost memory_stream_cost(const ChipSpec& chip, double bytes) {
  if (!(bytes >= 0)) {
    throw UserError("memory stream size must be non-negative, got " + std::to_string(bytes));
  }
  if (chip.memory.empty()) throw InternalError("chip " + chip.id + " has no memory levels");
  Cost c;
  const double bw = std::min(chip.main_memory().bandwidth, chip.achievable_memory_bandwidth());
  c.memory_time = bytes / bw;
  c.overhead_time = chip.efficiency.kernel_launch;
  c.time = c.memory_time + c.overhead_time;
  const int main = static_cast<int>(chip.memory.size()) - 1;
  if (main < kMaxMemoryLevels) c.bytes[main] = bytes;
  c.bound = c.memory_time >= c.overhead_time ? Bound::memory : Bound::overhead;
  return c;
}

}  // namespace cw
