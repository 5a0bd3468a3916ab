#include "perf/collective.hpp"

#include <algorithm>

namespace cw {

Cost allreduce_cost(const ChipSpec& chip, int ranks, double bytes) {
  Cost c;
  c.bound = Bound::network;
  if (ranks <= 1 || bytes <= 0) return c;
  const double n = ranks;
  // Per-chip injection bandwidth, each direction: all links together.
  const double bw = std::max(1.0, chip.links.count * chip.links.bandwidth_per_link);
  const double lat = chip.links.latency;
  // Ring: reduce-scatter + all-gather, each moving (n-1)/n of the data.
  const double ring = 2.0 * (n - 1.0) / n * bytes / bw + 2.0 * (n - 1.0) * lat;
  // One-shot: every chip pulls the other n-1 shards it needs in one step
  // (the whole tensor from each peer, (n-1)·bytes in total, spread over its links),
  // then reduces locally; a single latency. Wins for small messages.
  const double one_shot = (n - 1.0) * bytes / bw + lat;
  c.time = std::min(ring, one_shot) + chip.efficiency.kernel_launch;
  c.overhead_time = chip.efficiency.kernel_launch;
  c.bytes[kMaxMemoryLevels - 1] = 0;
  return c;
}

}  // namespace cw
