// Collective API: places a group's ranks on a system, gathers the applicable
// algorithms (collective_mesh/torus/multinode.cpp) and picks the fastest.
#include "perf/collective.hpp"

#include <algorithm>
#include <cmath>

#include "config/did_you_mean.hpp"
#include "config/error.hpp"
#include "hardware/system_loader.hpp"
#include "perf/collective_model.hpp"

namespace cw {

using collective_detail::Candidate;
using collective_detail::Group;
using collective_detail::Load;

const char* collective_name(CollectiveKind k) {
  switch (k) {
    case CollectiveKind::all_reduce:
      return "all_reduce";
    case CollectiveKind::all_gather:
      return "all_gather";
    case CollectiveKind::reduce_scatter:
      return "reduce_scatter";
    case CollectiveKind::all_to_all:
      return "all_to_all";
  }
  return "?";
}

namespace {

std::string where(const SystemSpec& sys) {
  return "system '" + sys.id + "' (" + std::to_string(sys.count) + " x " + sys.chip.id + ")";
}

// The torus sub-slice of `ranks` chips inside the system's slice.
void place_on_torus(const SystemSpec& sys, Group& g) {
  const ScaleUp& up = sys.scale_up;
  std::vector<int> slice = up.dims;
  std::sort(slice.begin(), slice.end());
  std::vector<int> sub =
      g.per_node == sys.chips_per_node() ? slice : torus_shape(g.per_node, slice);
  if (sub.empty()) {
    throw UserError("a group of " + std::to_string(g.per_node) + " ranks is not a sub-slice of " +
                    where(sys) + "; use a count that factors into its dims");
  }
  std::sort(sub.begin(), sub.end());
  for (size_t i = 0; i < sub.size(); ++i) {
    if (sub[i] <= 1) continue;
    g.dims.push_back(sub[i]);
    // An axis keeps its wraparound only when it spans the whole slice axis.
    g.wraps.push_back(sub[i] == slice[i] && axis_wraps(sub[i], up.wrap_multiple));
  }
}

Group make_group(const SystemSpec& sys, int ranks) {
  if (ranks < 1 || ranks > sys.count) {
    throw UserError("a collective over " + std::to_string(ranks) + " ranks does not fit " +
                    where(sys) + "; use 1 to " + std::to_string(sys.count) + " ranks");
  }
  const ScaleUp& up = sys.scale_up;
  Group g;
  g.ranks = ranks;
  if (ranks <= up.domain) {
    g.per_node = ranks;
  } else if (ranks % up.domain == 0) {
    g.per_node = up.domain;
    g.nodes = ranks / up.domain;
  } else {
    throw UserError("a collective over " + std::to_string(ranks) + " ranks does not fill whole " +
                    std::to_string(up.domain) + "-chip domains of " + where(sys) +
                    "; use at most " + std::to_string(up.domain) + " or a multiple of it");
  }
  g.topology = up.topology;
  g.up_eff = up.efficiency;
  g.nvls_eff = up.in_switch_efficiency;
  g.up_lat = up.latency;
  g.link_bw = sys.link_bandwidth();
  switch (up.topology) {
    case Topology::switched:
      // Every rank reaches the switches with all its links.
      g.up_bw = g.pair_bw = sys.scale_up_bandwidth();
      break;
    case Topology::full_mesh:
      // links / (domain - 1) links to each peer; only the group's peers carry its traffic.
      g.pair_bw = up.domain > 1 ? sys.scale_up_bandwidth() / (up.domain - 1) : 0;
      g.up_bw = g.pair_bw * (g.per_node - 1);
      break;
    case Topology::torus:
      g.pair_bw = g.link_bw;
      g.up_bw = g.link_bw;
      place_on_torus(sys, g);
      break;
  }
  g.net_bw = sys.scale_out.bandwidth;
  g.net_eff = sys.scale_out.efficiency;
  g.net_lat = sys.scale_out.latency;
  g.launch = sys.chip.efficiency.kernel_launch;
  return g;
}

CollectiveResult to_result(const Group& g, const Candidate& c) {
  CollectiveResult r;
  r.algorithm = c.name;
  r.cost.bound = Bound::network;
  r.cost.overhead_time = c.load.latency + g.launch;
  r.cost.time = c.load.busiest() + r.cost.overhead_time;
  r.scale_up_bytes = c.load.up_bytes;
  r.scale_out_bytes = c.load.net_bytes;
  r.cost.link_bytes = r.scale_up_bytes + r.scale_out_bytes;
  return r;
}

void check_bytes(double bytes) {
  if (!(bytes >= 0) || !std::isfinite(bytes)) {
    throw UserError("a collective's size must be a finite number of bytes >= 0, got " +
                    std::to_string(bytes));
  }
}

}  // namespace

std::vector<CollectiveResult> collective_candidates(const SystemSpec& sys, CollectiveKind kind,
                                                    int ranks, double bytes) {
  check_bytes(bytes);
  Group g = make_group(sys, ranks);
  if (ranks == 1 || bytes == 0) {
    CollectiveResult none;
    none.algorithm = "none";
    none.cost.bound = Bound::network;
    return {none};
  }
  std::vector<Candidate> cands;
  if (g.nodes > 1) {
    collective_detail::multi_node_candidates(g, kind, bytes, cands);
  } else if (g.topology == Topology::torus) {
    collective_detail::torus_candidates(g, kind, bytes, cands);
  } else {
    collective_detail::mesh_candidates(g, kind, bytes, cands);
  }
  std::vector<CollectiveResult> out;
  for (const auto& c : cands) out.push_back(to_result(g, c));
  return out;
}

CollectiveResult collective(const SystemSpec& sys, CollectiveKind kind, int ranks, double bytes) {
  std::vector<CollectiveResult> all = collective_candidates(sys, kind, ranks, bytes);
  // Ties keep the earlier candidate, so the choice is deterministic.
  return *std::min_element(all.begin(), all.end(),
                           [](const auto& a, const auto& b) { return a.cost.time < b.cost.time; });
}

CollectiveResult collective(const SystemSpec& sys, CollectiveKind kind, int ranks, double bytes,
                            const std::string& algorithm) {
  std::vector<CollectiveResult> all = collective_candidates(sys, kind, ranks, bytes);
  std::vector<std::string> names;
  for (const auto& r : all) {
    if (r.algorithm == algorithm) return r;
    names.push_back(r.algorithm);
  }
  throw UserError("algorithm '" + algorithm + "' does not apply to " + collective_name(kind) +
                  " over " + std::to_string(ranks) + " ranks of " + where(sys) + ": " +
                  suggestion(algorithm, names));
}

CollectiveResult direct_exchange(const SystemSpec& sys, int ranks, double scale_up_bytes,
                                 double scale_out_bytes) {
  check_bytes(scale_up_bytes);
  check_bytes(scale_out_bytes);
  Group g = make_group(sys, ranks);
  Load l;
  if (scale_out_bytes > 0) {
    if (g.nodes < 2 || !(g.net_bw > 0)) {
      throw UserError("a direct exchange over " + std::to_string(ranks) + " ranks of " +
                      where(sys) +
                      " has no NIC traffic to carry; give scale-out bytes only "
                      "for groups spanning domains");
    }
    l.net(g, scale_out_bytes, scale_out_bytes);
  }
  if (scale_up_bytes > 0) l.up(g, scale_up_bytes, scale_up_bytes, g.up_eff);
  l.steps(1, scale_out_bytes > 0 ? std::max(g.up_lat, g.net_lat) : g.up_lat);
  CollectiveResult r = to_result(g, Candidate{"direct", l});
  if (scale_up_bytes == 0 && scale_out_bytes == 0) r.cost = Cost{};
  r.cost.bound = Bound::network;
  return r;
}

CollectiveResult send_recv(const SystemSpec& sys, double bytes, bool across_domains) {
  check_bytes(bytes);
  CollectiveResult r;
  r.algorithm = "direct";
  r.cost.bound = Bound::network;
  if (bytes == 0) return r;
  Group g = make_group(sys, std::min(2, sys.count));
  Load l;
  if (across_domains) {
    if (!(g.net_bw > 0)) {
      throw UserError(where(sys) + " has no scale-out network to send across domains");
    }
    l.net(g, bytes, bytes);
    l.steps(1, g.net_lat);
  } else {
    if (sys.count < 2 || !(g.pair_bw > 0)) {
      throw UserError(where(sys) + " has no second chip on its scale-up links to send to");
    }
    // One peer: a switched rank sends over all its links, a mesh or torus
    // neighbour over the link(s) between the pair.
    Group pair = g;
    pair.up_bw = g.pair_bw;
    l.up(pair, bytes, bytes, g.up_eff);
    l.steps(1, g.up_lat);
  }
  return to_result(g, Candidate{"direct", l});
}

Cost allreduce_cost(const ChipSpec& chip, int ranks, double bytes) {
  if (ranks <= 1 || bytes <= 0) {
    Cost c;
    c.bound = Bound::network;
    return c;
  }
  return collective(standard_system(chip, ranks), CollectiveKind::all_reduce, ranks, bytes).cost;
}

double bus_bandwidth(CollectiveKind kind, int ranks, double bytes, double time) {
  if (!(time > 0) || ranks < 1) return 0;
  const double n = ranks;
  // nccl-tests PERFORMANCE.md: busbw = algbw x 2(n-1)/n for all-reduce, (n-1)/n otherwise.
  double factor = kind == CollectiveKind::all_reduce ? 2.0 * (n - 1.0) / n : (n - 1.0) / n;
  return factor * bytes / time;
}

}  // namespace cw
