// Collectives across scale-up domains (nodes) joined by the scale-out
// network: g ranks in each of N domains, each rank with its own NIC share.
#include <algorithm>
#include <cmath>

#include "perf/collective_model.hpp"

namespace cw::collective_detail {
namespace {

// The intra-domain reduce-scatter / all-gather a hierarchical algorithm can use.
struct IntraPhase {
  std::string name;
  Load (*phase)(const Group&, double bytes, bool reduce);
};

Load intra_ring(const Group& g, double bytes, bool) {
  return ring_phase(g, g.per_node, bytes);
}
Load intra_nvls(const Group& g, double bytes, bool reduce) {
  return nvls_phase(g, g.per_node, bytes, reduce);
}
Load intra_torus(const Group& g, double bytes, bool) {
  return torus_phase(g, bytes);
}

std::vector<IntraPhase> intra_phases(const Group& g) {
  if (g.topology == Topology::torus) return {{"torus", intra_torus}};
  std::vector<IntraPhase> p{{"ring", intra_ring}};
  if (g.topology == Topology::switched && g.nvls_eff > 0) p.push_back({"nvls", intra_nvls});
  return p;
}

// A ring over the N domains on `bytes` per rank (one ring per local index,
// each through its own NIC): (N-1)/N of the data each way per phase.
Load inter_ring(const Group& g, double bytes, int phases) {
  Load l;
  double moved = phases * (g.nodes - 1.0) / g.nodes * bytes;
  l.net(g, moved, moved);
  l.steps(phases * (g.nodes - 1.0), g.net_lat);
  return l;
}

}  // namespace

void multi_node_candidates(const Group& g, CollectiveKind kind, double bytes,
                           std::vector<Candidate>& out) {
  const double n = g.ranks, per = g.per_node;
  const bool flat_ok = g.topology != Topology::torus;
  const double hop =
      std::max(g.up_lat, g.net_lat);  // a step that crosses domains waits for the slowest hop
  switch (kind) {
    case CollectiveKind::all_reduce:
    case CollectiveKind::all_gather:
    case CollectiveKind::reduce_scatter: {
      const int phases = kind == CollectiveKind::all_reduce ? 2 : 1;
      if (flat_ok) {
        // Flat ring over all n ranks (NCCL's multi-node ring): g rings, each
        // entering and leaving every domain once, rotated so that each rank's
        // NIC carries one of them: of the phases·(n-1)/n·bytes a rank moves,
        // 1/g crosses its NIC and (g-1)/g its scale-up links. Every step
        // waits for the slowest hop.
        Load ring;
        double moved = phases * (n - 1.0) / n * bytes;
        if (per > 1) ring.up(g, moved * (per - 1.0) / per, moved * (per - 1.0) / per, g.up_eff);
        ring.net(g, moved / per, moved / per);
        ring.steps(phases * (n - 1.0), hop);
        out.push_back({"ring", ring});
      }
      if (flat_ok && kind == CollectiveKind::all_reduce) {
        // NCCL's multi-node tree: a chain inside each domain (bytes up and
        // down through every rank: 2·bytes each way) and a double binary tree
        // over the domains (2·bytes per domain, spread over its g NICs).
        Load tree;
        if (per > 1) tree.up(g, 2.0 * bytes, 2.0 * bytes, g.up_eff);
        tree.net(g, 2.0 * bytes / per, 2.0 * bytes / per);
        tree.steps(2.0 * std::ceil(std::log2(g.nodes)), g.net_lat);
        tree.steps(2.0 * std::ceil(std::log2(per)), g.up_lat);
        out.push_back({"double_binary_tree", tree});
      }
      // Hierarchical: reduce-scatter inside each domain, the operation across
      // domains on each rank's bytes/g shard (one ring per local index, over
      // its own NIC), then all-gather inside each domain. Chunks pipeline, so
      // the scale-up and NIC phases overlap (the busiest resource bounds the
      // time) while their latencies add. All-gather runs inter then intra;
      // reduce-scatter intra then inter.
      for (const auto& intra : intra_phases(g)) {
        Load h;
        if (kind != CollectiveKind::all_gather) h += intra.phase(g, bytes, true);
        h += inter_ring(g, bytes / per, phases);
        if (kind != CollectiveKind::reduce_scatter) h += intra.phase(g, bytes, false);
        out.push_back({"hierarchical_" + intra.name, h});
      }
      break;
    }
    case CollectiveKind::all_to_all: {
      // Each rank sends bytes/n to every rank: (g-1)/n of its buffer to its
      // own domain's peers over scale-up links, (n-g)/n through its NIC.
      Load a2a;
      if (g.topology == Topology::torus) {
        std::vector<Candidate> intra;  // the domain's share, routed over the torus
        torus_candidates(g, CollectiveKind::all_to_all, bytes * per / n, intra);
        a2a += intra.front().load;
      } else if (per > 1) {
        a2a.up(g, (per - 1.0) / n * bytes, (per - 1.0) / n * bytes, g.up_eff);
      }
      a2a.net(g, (n - per) / n * bytes, (n - per) / n * bytes);
      a2a.steps(1, hop);
      out.push_back({"direct", a2a});
      break;
    }
  }
}

}  // namespace cw::collective_detail
