// Torus-aware collectives (TPU ICI, Trainium NeuronLink): bidirectional rings
// along each axis, with all axes busy at once.
#include <algorithm>

#include "perf/collective_model.hpp"

namespace cw::collective_detail {

double axis_bandwidth(const Group& g, size_t i) {
  // With wraparound, two counter-rotating rings use both directions of both
  // neighbour links: 2 links' worth. On a line (no wraparound) one ring runs
  // forward on the +links and returns on the -links: 1 link's worth
  // (scaling book, "How to think about TPUs": no wraparound halves the bandwidth).
  return g.wraps[i] ? 2.0 * g.link_bw : g.link_bw;
}

Load torus_phase(const Group& g, double bytes) {
  // A reduce-scatter (or all-gather) over D axes as D concurrent pieces of
  // bytes/D: piece p reduces along axes p, p+1, … (cyclically), each axis a
  // ring over (k-1)/k of what is left, which then shrinks by k. Every axis
  // is first for one piece, so all links work at once (the scaling book's
  // multi-axis collectives; TPU's XLA does the same with its ICI DMA engines).
  Load l;
  const size_t d = g.dims.size();
  if (d == 0) return l;
  std::vector<double> traffic(d, 0.0);
  for (size_t p = 0; p < d; ++p) {
    double size = bytes / static_cast<double>(d);
    for (size_t s = 0; s < d; ++s) {
      size_t axis = (p + s) % d;
      double k = g.dims[axis];
      traffic[axis] += (k - 1.0) / k * size;
      size /= k;
    }
  }
  for (size_t i = 0; i < d; ++i) {
    l.on_axis(g, i, traffic[i], axis_bandwidth(g, i));
    l.steps(g.dims[i] - 1, g.up_lat);  // one ring per axis; the pieces run in parallel
  }
  return l;
}

void torus_candidates(const Group& g, CollectiveKind kind, double bytes,
                      std::vector<Candidate>& out) {
  switch (kind) {
    case CollectiveKind::all_reduce: {
      Load l = torus_phase(g, bytes);  // reduce-scatter
      l += torus_phase(g, bytes);      // all-gather
      out.push_back({"torus", l});
      break;
    }
    case CollectiveKind::all_gather:
    case CollectiveKind::reduce_scatter:
      out.push_back({"torus", torus_phase(g, bytes)});
      break;
    case CollectiveKind::all_to_all: {
      // Dimension-ordered routing: along axis i every rank's bytes are spread
      // evenly over the k positions, each travelling the ring distance. With
      // wraparound the per-rank hop-bytes are bytes/k · Σ_d min(d, k-d) over
      // both directions' links; on a line the middle link is the bottleneck,
      // carrying floor(k/2)·ceil(k/2)·bytes/k one way.
      Load l;
      double hops = 0;
      for (size_t i = 0; i < g.dims.size(); ++i) {
        int k = g.dims[i];
        double axis_bytes = 0;
        if (g.wraps[i]) {
          for (int dd = 0; dd < k; ++dd) axis_bytes += std::min(dd, k - dd);
          axis_bytes *= bytes / k;
          hops += k / 2;
        } else {
          axis_bytes = static_cast<double>(k / 2) * ((k + 1) / 2) * bytes / k;
          hops += k - 1;
        }
        l.on_axis(g, i, axis_bytes, axis_bandwidth(g, i));
      }
      l.steps(hops, g.up_lat);  // the farthest destination's hop count
      out.push_back({"torus", l});
      break;
    }
  }
}

}  // namespace cw::collective_detail
