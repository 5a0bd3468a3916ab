#include "engine/expert_dispatch.hpp"

#include <algorithm>

namespace cw {
namespace {

// Chance that at least one of a token's k experts (k of E, uniform, without
// repetition) is among `held` given experts: 1 − C(E − held, k) / C(E, k),
// with C(E − held, k) / C(E, k) = Π_{i<k} (E − held − i) / (E − i).
double coverage(int64_t experts, int64_t experts_per_token, double held) {
  const double e = static_cast<double>(experts);
  double none = 1.0;
  for (int64_t i = 0; i < experts_per_token; ++i) {
    none *= std::max(0.0, e - held - static_cast<double>(i)) / (e - static_cast<double>(i));
  }
  return 1.0 - none;
}

}  // namespace

double ranks_per_token(int64_t experts, int64_t experts_per_token, int ep) {
  return ep * coverage(experts, experts_per_token, static_cast<double>(experts) / ep);
}

double expert_exchange_bytes(int64_t tokens, double ranks_per_token, int64_t hidden,
                             double element_bytes) {
  return static_cast<double>(tokens) * ranks_per_token * static_cast<double>(hidden) *
         element_bytes;
}

CollectiveResult expert_exchange(const SystemSpec& system, int ep, int64_t tokens, int64_t experts,
                                 int64_t experts_per_token, int64_t hidden, double element_bytes) {
  const int domain = system.scale_up.domain;
  const double vector = static_cast<double>(tokens) * static_cast<double>(hidden) * element_bytes;
  if (ep <= domain || system.scale_up.topology == Topology::torus) {
    // Inside one domain (DeepEP's intranode kernels), or a torus: a direct
    // all-to-all of one copy per destination rank.
    return collective(system, CollectiveKind::all_to_all, ep,
                      vector * ranks_per_token(experts, experts_per_token, ep));
  }
  // Across domains (DeepEP's internode kernels): a token crosses the network
  // once to each other node holding any of its experts (RDMA to the rank of
  // the same local index there), and scale-up links carry it to each hit
  // rank of a node other than the one it arrived at (NVLink forwarding;
  // on its own node, sent directly). Per token, with g ranks per node and
  // M nodes: NIC copies (M − 1)·P(node hit), link copies M·(g − 1)·P(rank hit).
  const int per_node = domain, nodes = ep / domain;
  const double e = static_cast<double>(experts);
  const double rank_hit = coverage(experts, experts_per_token, e / ep);
  const double node_hit = coverage(experts, experts_per_token, e * per_node / ep);
  return direct_exchange(system, ep, vector * nodes * (per_node - 1) * rank_hit,
                         vector * (nodes - 1) * node_hit);
}

}  // namespace cw
