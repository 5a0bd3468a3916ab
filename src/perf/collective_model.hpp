// Internal to the collective models (collective*.cpp): where a group's ranks
// sit, and the per-rank link load of one algorithm.
//
// The model (after ASTRA-sim's analytical backend and NCCL's tuning model):
// an algorithm moves a known number of bytes per rank over each link
// resource — scale-up out/in, NIC out/in, or each torus axis — and takes a
// known number of synchronous steps. Large messages are chunked and
// pipelined, so every resource works at once: time = sum of step latencies +
// the busiest resource's bytes / (bandwidth x efficiency).
#pragma once

#include <string>
#include <vector>

#include "hardware/system_spec.hpp"
#include "perf/collective.hpp"

namespace cw::collective_detail {

// The ranks of one collective and the links they can use.
struct Group {
  int ranks = 1;     // n
  int per_node = 1;  // g: ranks in each occupied scale-up domain
  int nodes = 1;     // N: domains spanned (ranks = g x N)
  Topology topology = Topology::switched;
  double up_bw = 0;    // bytes/s per rank, each direction, over links reaching its group peers
  double pair_bw = 0;  // bytes/s between one pair of ranks, each direction
  double up_eff = 1, nvls_eff = 0, up_lat = 0;
  double link_bw = 0;       // torus: one link, each direction
  std::vector<int> dims;    // torus: the group's sub-slice (axes of size 1 dropped)
  std::vector<bool> wraps;  // torus: axis has wraparound links
  double net_bw = 0, net_eff = 1, net_lat = 0;
  double launch = 0;  // one kernel launch (chip.efficiency.kernel_launch)
};

// Per-rank occupancy (seconds) of each link resource, plus latency.
struct Load {
  double up_out = 0, up_in = 0, net_out = 0, net_in = 0;
  std::vector<double> axis;  // torus axes
  double latency = 0;        // seconds: synchronous steps x hop latency
  double up_bytes = 0, net_bytes = 0;
  // Adds bytes sent/received over scale-up links at efficiency `eff`.
  void up(const Group& g, double out_bytes, double in_bytes, double eff);
  // Adds bytes sent/received through the NIC.
  void net(const Group& g, double out_bytes, double in_bytes);
  // Adds bytes crossing torus axis i (both directions' rings together).
  void on_axis(const Group& g, size_t i, double bytes, double axis_bw);
  void steps(double count, double hop_latency) { latency += count * hop_latency; }
  Load& operator+=(const Load& o);
  double busiest() const;  // seconds: the most-occupied resource
};

struct Candidate {
  std::string name;
  Load load;
};

// Single-domain algorithms for switch and full-mesh groups (nodes == 1).
void mesh_candidates(const Group& g, CollectiveKind kind, double bytes,
                     std::vector<Candidate>& out);
// Single-domain algorithms for torus groups (nodes == 1).
void torus_candidates(const Group& g, CollectiveKind kind, double bytes,
                      std::vector<Candidate>& out);
// Algorithms across domains (nodes > 1): flat ring and tree, hierarchical.
void multi_node_candidates(const Group& g, CollectiveKind kind, double bytes,
                           std::vector<Candidate>& out);

// Building blocks shared by the files above.
// Ring reduce-scatter or all-gather inside one domain of `n` ranks on `bytes`.
Load ring_phase(const Group& g, int n, double bytes);
// NVLS reduce-scatter (egress bytes, ingress bytes/n) or all-gather (the reverse).
Load nvls_phase(const Group& g, int n, double bytes, bool reduce);
// Torus reduce-scatter or all-gather over the group's axes, all axes at once.
Load torus_phase(const Group& g, double bytes);

// Bandwidth of torus axis i: two counter-rotating rings with wraparound, one ring on a line.
double axis_bandwidth(const Group& g, size_t i);

// Custom all-reduce (vLLM / TensorRT-LLM one-shot and two-shot) limits:
// vLLM CustomAllreduce max_size = 8 MiB and _SUPPORTED_WORLD_SIZES = [2, 4, 6, 8].
inline constexpr double kCustomAllReduceMaxBytes = 8.0 * 1024 * 1024;
inline constexpr int kCustomAllReduceMaxRanks = 8;

}  // namespace cw::collective_detail
