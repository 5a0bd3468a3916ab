// Collective communication over a group of chips of a SystemSpec: all-reduce,
// all-gather, reduce-scatter, all-to-all and point-to-point send, with the
// algorithms tuned libraries run (ring, double-binary tree, NVLink SHARP
// in-switch reduction, one-/two-shot custom all-reduce, hierarchical
// intra/inter-node, torus-aware rings). Time = link latency x steps + bytes
// over the busiest link (per direction, at the system's achievable link
// efficiency) + one kernel launch. Contract: pure functions; bad input
// (ranks outside the system, negative bytes) throws UserError.
#pragma once

#include <string>
#include <vector>

#include "hardware/chip_spec.hpp"
#include "hardware/system_spec.hpp"
#include "perf/cost.hpp"

namespace cw {

enum class CollectiveKind { all_reduce, all_gather, reduce_scatter, all_to_all };
const char* collective_name(CollectiveKind k);

struct CollectiveResult {
  Cost cost;                   // time; overhead_time = latency + launch; bound = network
  std::string algorithm;       // "ring", "double_binary_tree", "nvls", "one_shot", "two_shot",
                               // "hierarchical_ring|nvls|torus", "torus", "direct", "none"
  double scale_up_bytes = 0;   // bytes one rank sends over scale-up links
  double scale_out_bytes = 0;  // bytes one rank sends through its NIC
};

// `bytes` follows nccl-tests' "size": all_reduce = the buffer each rank holds;
// all_gather = the gathered output of each rank (ranks x its contribution);
// reduce_scatter = the input of each rank; all_to_all = the buffer each rank
// sends (ranks x the share for each peer). The ranks are placed contiguously:
// within one scale-up domain when they fit, else over whole domains.

// Every algorithm applicable to this group and size, in a fixed order.
std::vector<CollectiveResult> collective_candidates(const SystemSpec& sys, CollectiveKind kind,
                                                    int ranks, double bytes);

// The algorithm a tuned library (NCCL/RCCL, or the serving engine's custom
// all-reduce for small messages) picks: the fastest candidate.
CollectiveResult collective(const SystemSpec& sys, CollectiveKind kind, int ranks, double bytes);

// One named algorithm; throws UserError when it does not apply (with the valid ones).
CollectiveResult collective(const SystemSpec& sys, CollectiveKind kind, int ranks, double bytes,
                            const std::string& algorithm);

// A direct exchange among `ranks` ranks in which each rank sends (and
// receives) `scale_up_bytes` over its scale-up links and `scale_out_bytes`
// through its NIC, both pipelined: the busiest resource bounds the time, plus
// one step at the slowest hop crossed and a kernel launch. For exchanges
// whose per-link bytes the caller derives (DeepEP's node-level expert
// dispatch). Throws UserError as collective() does, or when NIC bytes are
// asked of a group inside one domain.
CollectiveResult direct_exchange(const SystemSpec& sys, int ranks, double scale_up_bytes,
                                 double scale_out_bytes);

// Point-to-point send of `bytes` between neighbouring ranks (pipeline stages):
// over the scale-up links, or through the NICs when across_domains.
CollectiveResult send_recv(const SystemSpec& sys, double bytes, bool across_domains);

// The step model's tensor-parallel all-reduce: `ranks` chips of the chip's
// standard system (standard_system(chip, ranks)), tuned algorithm.
Cost allreduce_cost(const ChipSpec& chip, int ranks, double bytes);

// nccl-tests bus bandwidth of a measured or predicted time (bytes/s):
// all_reduce 2(n-1)/n · bytes / time; all_gather, reduce_scatter and
// all_to_all (n-1)/n · bytes / time.
double bus_bandwidth(CollectiveKind kind, int ranks, double bytes, double time);

}  // namespace cw
