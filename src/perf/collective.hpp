// Collective communication inside a tensor-parallel group on one scale-up
// domain. A first model (ring and one-shot all-reduce over the chip's own
// links); multi-node topologies and in-switch reduction refine it.
#pragma once

#include "hardware/chip_spec.hpp"
#include "perf/cost.hpp"

namespace cw {

// All-reduce of `bytes` (the full tensor on each chip) across `ranks` chips
// joined by chip.links. Picks the faster of ring (bandwidth-optimal:
// 2(n-1)/n·bytes per chip, 2(n-1) link latencies; Patarasuk & Yuan 2009) and
// one-shot (each chip pulls every peer's full copy, (n-1)·bytes, one latency),
// as NCCL and TensorRT-LLM choose by message size.
Cost allreduce_cost(const ChipSpec& chip, int ranks, double bytes);

}  // namespace cw
