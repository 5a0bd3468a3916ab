#include "engine/expert_dispatch.hpp"

#include <algorithm>
#include <cmath>

namespace cw {
namespace {

// C(n, r) for the small counts of expert groups.
double choose(int64_t n, int64_t r) {
  if (r < 0 || r > n) return 0;
  double c = 1;
  for (int64_t i = 1; i <= r; ++i) c = c * static_cast<double>(n - r + i) / static_cast<double>(i);
  return c;
}

// Chance that at least one of k experts, chosen uniformly without repetition
// among `pool`, is among `held` of them: 1 − C(pool − held, k) / C(pool, k),
// with C(pool − held, k) / C(pool, k) = Π_{i<k} (pool − held − i) / (pool − i).
double coverage(double pool, int64_t k, double held) {
  double none = 1.0;
  for (int64_t i = 0; i < k; ++i) {
    none *= std::max(0.0, pool - held - static_cast<double>(i)) / (pool - static_cast<double>(i));
  }
  return 1.0 - none;
}

}  // namespace

double hit_chance(const MoeSpec& moe, double span) {
  const double e = static_cast<double>(moe.num_experts);
  const int64_t k = moe.experts_per_token;
  const int64_t groups = moe.expert_groups, chosen = moe.groups_per_token;
  if (groups <= 1 || chosen >= groups) return coverage(e, k, span);
  // Group-limited routing: the token picks `chosen` of the `groups` expert
  // groups, then its k experts among their chosen · E/groups experts.
  const double group = e / static_cast<double>(groups);
  const double pool = group * static_cast<double>(chosen);
  const double g = static_cast<double>(groups), c = static_cast<double>(chosen);
  if (span <= group && std::fmod(group, span) == 0) {
    return c / g * coverage(pool, k, span);  // inside one group
  }
  if (std::fmod(span, group) == 0) {
    // Whole groups: j of the span's h groups chosen (hypergeometric).
    const int64_t h = std::llround(span / group);
    double p = 0;
    for (int64_t j = 1; j <= std::min(h, chosen); ++j) {
      p += choose(h, j) * choose(groups - h, chosen - j) / choose(groups, chosen) *
           coverage(pool, k, static_cast<double>(j) * group);
    }
    return p;
  }
  return coverage(e, k, span);  // blocks that straddle groups: uniform routing
}

double ranks_per_token(const MoeSpec& moe, int ep) {
  return ep * hit_chance(moe, static_cast<double>(moe.num_experts) / ep);
}

double expert_exchange_bytes(int64_t tokens, double ranks_per_token, int64_t hidden,
                             double element_bytes) {
  return static_cast<double>(tokens) * ranks_per_token * static_cast<double>(hidden) *
         element_bytes;
}

CollectiveResult expert_exchange(const SystemSpec& system, int ep, int64_t tokens,
                                 const MoeSpec& moe, int64_t hidden, double element_bytes) {
  const int domain = system.scale_up.domain;
  const double vector = static_cast<double>(tokens) * static_cast<double>(hidden) * element_bytes;
  if (ep <= domain || system.scale_up.topology == Topology::torus) {
    // Inside one domain (DeepEP's intranode kernels), or a torus: a direct
    // all-to-all of one copy per destination rank.
    return collective(
        system, CollectiveKind::all_to_all, ep,
        expert_exchange_bytes(tokens, ranks_per_token(moe, ep), hidden, element_bytes));
  }
  // Across domains (DeepEP's internode kernels): a token crosses the network
  // once to each other node holding any of its experts (RDMA to the rank of
  // the same local index there), and scale-up links carry it to each hit
  // rank of a node other than the one it arrived at (NVLink forwarding;
  // on its own node, sent directly). Per token, with g ranks per node and
  // M nodes: NIC copies (M − 1)·P(node hit), link copies M·(g − 1)·P(rank hit).
  const int per_node = domain, nodes = ep / domain;
  const double e = static_cast<double>(moe.num_experts);
  const double rank_hit = hit_chance(moe, e / ep);
  const double node_hit = hit_chance(moe, e * per_node / ep);
  return direct_exchange(system, ep, vector * nodes * (per_node - 1) * rank_hit,
                         vector * (nodes - 1) * node_hit);
}

}  // namespace cw
