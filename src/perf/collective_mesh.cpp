// Single-domain collectives on switched (NVSwitch) and full-mesh (xGMI,
// Gaudi RoCE) groups, and the Load bookkeeping all algorithms share.
#include <algorithm>
#include <cmath>

#include "perf/collective_model.hpp"

namespace cw::collective_detail {

void Load::up(const Group& g, double out_bytes, double in_bytes, double eff) {
  up_out += out_bytes / (g.up_bw * eff);
  up_in += in_bytes / (g.up_bw * eff);
  up_bytes += out_bytes;
}

void Load::net(const Group& g, double out_bytes, double in_bytes) {
  net_out += out_bytes / (g.net_bw * g.net_eff);
  net_in += in_bytes / (g.net_bw * g.net_eff);
  net_bytes += out_bytes;
}

void Load::on_axis(const Group& g, size_t i, double bytes, double axis_bw) {
  if (axis.size() <= i) axis.resize(i + 1, 0.0);
  axis[i] += bytes / (axis_bw * g.up_eff);
  up_bytes += bytes;
}

Load& Load::operator+=(const Load& o) {
  up_out += o.up_out;
  up_in += o.up_in;
  net_out += o.net_out;
  net_in += o.net_in;
  if (axis.size() < o.axis.size()) axis.resize(o.axis.size(), 0.0);
  for (size_t i = 0; i < o.axis.size(); ++i) axis[i] += o.axis[i];
  latency += o.latency;
  up_bytes += o.up_bytes;
  net_bytes += o.net_bytes;
  return *this;
}

double Load::busiest() const {
  double m = std::max({up_out, up_in, net_out, net_in});
  for (double a : axis) m = std::max(m, a);
  return m;
}

Load ring_phase(const Group& g, int n, double bytes) {
  // Ring reduce-scatter (or all-gather): n-1 steps, each forwarding one 1/n
  // shard to the next rank, so (n-1)/n of the data leaves and enters every
  // rank (Patarasuk & Yuan 2009). NCCL runs one ring per channel over all of
  // a rank's links at once, so the rank's whole scale-up bandwidth is used.
  Load l;
  if (n <= 1) return l;
  double moved = (n - 1.0) / n * bytes;
  l.up(g, moved, moved, g.up_eff);
  l.steps(n - 1, g.up_lat);
  return l;
}

Load nvls_phase(const Group& g, int n, double bytes, bool reduce) {
  // NVLink SHARP (NCCL NVLS): reduce-scatter with multimem.ld_reduce — the
  // switch pulls every 1/n shard of each rank's buffer for the shard's owner,
  // so `bytes` leave each rank and the reduced bytes/n come back; all-gather
  // with multimem.st — each rank pushes its bytes/n once and the switch
  // multicasts it, so bytes/n leave and `bytes` arrive. One switch hop each.
  Load l;
  if (n <= 1) return l;
  double out = reduce ? bytes : bytes / n;
  double in = reduce ? bytes / n : bytes;
  l.up(g, out, in, g.nvls_eff);
  l.steps(1, g.up_lat);
  return l;
}

void mesh_candidates(const Group& g, CollectiveKind kind, double bytes,
                     std::vector<Candidate>& out) {
  const int n = g.ranks;
  switch (kind) {
    case CollectiveKind::all_reduce: {
      Load ring = ring_phase(g, n, bytes);
      ring += ring_phase(g, n, bytes);
      out.push_back({"ring", ring});

      // Double binary tree (NCCL tree; Sanders et al. 2009): two trees each
      // reduce then broadcast half the data; every rank is interior (two
      // children) in one tree and a leaf in the other, so 2·bytes cross its
      // links each way (bytes with 2 ranks, where nobody is interior); NCCL's
      // model likewise takes tree algbw = busbw / 2. Steps: up and down the depth.
      Load tree;
      double tree_bytes = n == 2 ? bytes : 2.0 * bytes;
      tree.up(g, tree_bytes, tree_bytes, g.up_eff);
      tree.steps(2.0 * std::ceil(std::log2(n)), g.up_lat);
      out.push_back({"double_binary_tree", tree});

      if (g.topology == Topology::switched && g.nvls_eff > 0) {
        // In-switch reduction: ld_reduce then multicast store, pipelined, so
        // each direction carries bytes·(1 + 1/n) (egress-heavy reduce overlaps
        // ingress-heavy multicast).
        Load nvls = nvls_phase(g, n, bytes, true);
        nvls += nvls_phase(g, n, bytes, false);
        out.push_back({"nvls", nvls});
      }
      if (n <= kCustomAllReduceMaxRanks && bytes <= kCustomAllReduceMaxBytes) {
        // One-shot (TensorRT-LLM / vLLM custom all-reduce): every rank reads
        // each peer's whole buffer over peer-to-peer links and reduces locally:
        // (n-1)·bytes each way, one barrier.
        Load one;
        one.up(g, (n - 1.0) * bytes, (n - 1.0) * bytes, g.up_eff);
        one.steps(1, g.up_lat);
        out.push_back({"one_shot", one});
        // Two-shot: reduce-scatter then all-gather by direct peer reads:
        // the ring's bytes in two barriers instead of 2(n-1) steps.
        Load two;
        double moved = 2.0 * (n - 1.0) / n * bytes;
        two.up(g, moved, moved, g.up_eff);
        two.steps(2, g.up_lat);
        out.push_back({"two_shot", two});
      }
      break;
    }
    case CollectiveKind::all_gather:
    case CollectiveKind::reduce_scatter:
      out.push_back({"ring", ring_phase(g, n, bytes)});
      break;
    case CollectiveKind::all_to_all: {
      // Every rank sends bytes/n to each of n-1 peers at once (grouped
      // send/recv); a switch or a full mesh carries them without relaying.
      Load a2a;
      double moved = (n - 1.0) / n * bytes;
      a2a.up(g, moved, moved, g.up_eff);
      a2a.steps(1, g.up_lat);
      out.push_back({"direct", a2a});
      break;
    }
  }
}

}  // namespace cw::collective_detail
