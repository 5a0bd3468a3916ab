// Two-batch overlap (TBO): the engine splits an iteration's batch into two
// micro-batches and runs one's communication (TP all-reduce, expert dispatch
// and combine) while the other computes, as DeepSeek's inference system does
// (DeepSeek-V3 technical report §3.4: "two micro-batches with similar
// computational workloads, overlapping the attention and MoE of one
// micro-batch with the dispatch and combine of another"), SGLang's
// --enable-two-batch-overlap and TensorRT-LLM's wide-EP TBO.
//
// Each micro-batch is a chain of ops (per layer: compute, communication,
// compute, ...), repeated once per layer; the chip has one compute engine and
// one network, each running one op at a time. A collective driven by the
// cores' own kernels (NCCL, DeepEP) takes some cores away from the compute it
// overlaps; see kCommCoreShare.
#pragma once

#include <cstdint>
#include <vector>

namespace cw {

// Share of the cores a running collective occupies: DeepSeek-V3 reserves 20
// of the H800's 132 SMs for its all-to-all kernels (technical report §3.2.2,
// "only 20 SMs are sufficient to fully utilize the bandwidths of IB and
// NVLink"). Applied to every chip; chips whose collectives run on DMA
// engines (TPU ICI) lose less, so this overstates their contention.
inline constexpr double kCommCoreShare = 20.0 / 132.0;

struct OverlapOp {
  double time = 0;    // seconds alone on the chip
  bool comm = false;  // runs on the network (a collective), else on the compute engine
};

struct OverlapSchedule {
  double makespan = 0;    // both chains done, no contention
  double overlapped = 0;  // seconds a collective and a compute op ran at once
  // makespan + kCommCoreShare-style contention: compute that ran beside a
  // collective progressed at (1 - share), a deficit of share × overlapped.
  double time = 0;
};

// Greedy list schedule of two chains, `a` then `b`, each `a`/`b` repeated
// `repeats` times in order, consecutive ops on one resource taken as one
// stage: at every step the chain whose next stage can start first runs it
// (ties go to `a`). Contract: repeats >= 0, times >= 0,
// 0 <= core_share < 1.
OverlapSchedule schedule_two_batches(const std::vector<OverlapOp>& a,
                                     const std::vector<OverlapOp>& b, int64_t repeats,
                                     double core_share);

}  // namespace cw
