#include "engine/parallel_plan.hpp"

#include <fmt/core.h>

#include "config/error.hpp"

namespace cw {
namespace {

std::string divisors_of(int64_t n, int64_t limit) {
  std::string s;
  for (int64_t d = 1; d <= std::min(n, limit); ++d) {
    if (n % d == 0) s += (s.empty() ? "" : ", ") + std::to_string(d);
  }
  return s;
}

}  // namespace

std::string ParallelPlan::to_string() const {
  return fmt::format("tp{} pp{} ep{} dp{}", tp, pp, ep, dp);
}

void check_plan(const ParallelPlan& p, const ModelSpec& m) {
  if (p.tp < 1 || p.pp < 1 || p.ep < 1 || p.dp < 1) {
    throw UserError("parallel plan " + p.to_string() + ": every degree must be at least 1");
  }
  if (m.heads % p.tp != 0) {
    throw UserError(fmt::format(
        "--tp {} does not divide the {} attention heads of {}; valid tensor-parallel degrees: {}",
        p.tp, m.heads, m.id, divisors_of(m.heads, 64)));
  }
  if (p.pp > m.layers) {
    throw UserError(fmt::format("--pp {} exceeds the {} layers of {}; use at most {} stages",
                                p.pp, m.layers, m.id, m.layers));
  }
  if (p.ep > 1 && !m.moe) {
    throw UserError(fmt::format("--ep {} needs a mixture-of-experts model; {} is dense (use --ep 1)",
                                p.ep, m.id));
  }
  if (p.tp % p.ep != 0) {
    throw UserError(fmt::format(
        "--ep {} must divide --tp {} (experts are sharded within the tensor-parallel group)",
        p.ep, p.tp));
  }
  if (m.moe && m.moe->num_experts % p.ep != 0) {
    throw UserError(fmt::format("--ep {} does not divide the {} experts of {}; valid: {}", p.ep,
                                m.moe->num_experts, m.id, divisors_of(m.moe->num_experts, p.tp)));
  }
}

std::vector<ParallelPlan> enumerate_plans(const ModelSpec& m, int count) {
  std::vector<ParallelPlan> plans;
  for (int tp = 1; tp <= count; tp *= 2) {
    if (count % tp != 0 || m.heads % tp != 0) continue;
    for (int pp = 1; tp * pp <= count; ++pp) {
      if ((count / tp) % pp != 0 || pp > m.layers) continue;
      const int dp = count / (tp * pp);
      for (int ep = 1; ep <= tp; ep *= 2) {
        if (tp % ep != 0 || (ep > 1 && !m.moe)) continue;
        if (m.moe && m.moe->num_experts % ep != 0) continue;
        plans.push_back({tp, pp, ep, dp});
      }
    }
  }
  return plans;
}

}  // namespace cw
