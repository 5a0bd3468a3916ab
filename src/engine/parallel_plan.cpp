#include "engine/parallel_plan.hpp"

#include <fmt/core.h>

#include "config/error.hpp"
#include "engine/expert_load.hpp"

namespace cw {
namespace {

std::string divisors_of(int64_t n, int64_t limit) {
  std::string s;
  for (int64_t d = 1; d <= std::min(n, limit); ++d) {
    if (n % d == 0) s += (s.empty() ? "" : ", ") + std::to_string(d);
  }
  return s;
}

// EPLB and its redundant expert copies (ParallelPlan::eplb, redundant_experts).
void check_expert_placement(const ParallelPlan& p, const ModelSpec& m) {
  const int r = p.redundant_experts;
  if (r < 0) {
    throw UserError(
        fmt::format("--redundant-experts {}: expected 0 or more extra expert copies", r));
  }
  if (r > 0 && !p.eplb) {
    throw UserError(
        "redundant experts are placed by EPLB: add --eplb (or drop --redundant-experts)");
  }
  if (!p.eplb) return;
  check_routing_options(0, true, m.moe.has_value(), m.id);
  if (p.ep < 2) {
    throw UserError(fmt::format(
        "--eplb balances routed experts over expert-parallel ranks; it needs --ep 2 or more (got "
        "--ep {})",
        p.ep));
  }
  const int64_t e = m.moe->num_experts;
  if (r > e * (p.ep - 1)) {
    throw UserError(fmt::format(
        "--redundant-experts {} exceeds {} = experts x (ep - 1), one copy of every expert on "
        "every rank",
        r, e * (p.ep - 1)));
  }
  if ((e + r) % p.ep != 0) {
    const int64_t down = r - (e + r) % p.ep, up = down + p.ep;
    throw UserError(fmt::format(
        "--redundant-experts {}: the {} experts plus the copies must fill the {} ranks evenly "
        "(a multiple of {}); use {}{}",
        r, e, p.ep, p.ep, down >= 0 ? fmt::format("{} or ", down) : "", up));
  }
}

}  // namespace

std::string ParallelPlan::to_string() const {
  return fmt::format(
      "tp{} pp{} ep{} dp{}{}{}{}{}", tp, pp, ep, dp, attention_dp ? " attn-dp" : "",
      attn_tp > 1 ? fmt::format(" attn-tp{}", attn_tp) : "", cp > 1 ? fmt::format(" cp{}", cp) : "",
      eplb ? (redundant_experts > 0 ? fmt::format(" eplb+{}", redundant_experts) : " eplb") : "");
}

void check_plan(const ParallelPlan& p, const ModelSpec& m) {
  if (p.tp < 1 || p.pp < 1 || p.ep < 1 || p.dp < 1 || p.cp < 1 || p.attn_tp < 1) {
    throw UserError("parallel plan " + p.to_string() + ": every degree must be at least 1");
  }
  if (p.cp > 1 && p.attention_dp) {
    throw UserError(
        "--cp splits prompts over groups of tp chips; combining it with "
        "--attention-dp is not modelled (drop one of them)");
  }
  if (p.cp > 1 && p.pp > 1) {
    throw UserError(fmt::format(
        "--cp {} with --pp {}: context parallelism across pipeline stages is not modelled; use "
        "--pp 1 (e.g. --tp {} --cp {})",
        p.cp, p.pp, p.tp * p.pp, p.cp));
  }
  if (p.attention_dp) {
    if (!m.moe) {
      throw UserError(fmt::format(
          "--attention-dp needs a mixture-of-experts model; {} is dense (drop --attention-dp)",
          m.id));
    }
    if (p.ep != p.tp || p.ep < 2) {
      throw UserError(fmt::format(
          "--attention-dp runs attention data-parallel over the expert-parallel group, so --ep "
          "must equal --tp and be at least 2 (got --tp {} --ep {}); e.g. --tp {} --ep {} "
          "--attention-dp",
          p.tp, p.ep, std::max(2, p.tp), std::max(2, p.tp)));
    }
    if (p.attn_tp > 1 && (p.ep % p.attn_tp != 0 || p.attn_tp == p.ep)) {
      throw UserError(fmt::format(
          "--attention-tp {} must divide --ep {} and leave at least two attention-DP ranks; "
          "valid: {}",
          p.attn_tp, p.ep, divisors_of(p.ep, p.ep / 2)));
    }
    if (m.heads % p.attn_tp != 0) {
      throw UserError(
          fmt::format("--attention-tp {} does not divide the {} attention heads of {}; valid: {}",
                      p.attn_tp, m.heads, m.id, divisors_of(m.heads, p.ep / 2)));
    }
  } else if (p.attn_tp > 1) {
    throw UserError(fmt::format(
        "--attention-tp {} splits the heads inside attention-DP ranks; it needs --attention-dp "
        "(or drop it: without attention DP, attention runs tp {} ways)",
        p.attn_tp, p.tp));
  } else if (m.heads % p.tp != 0) {
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
  check_expert_placement(p, m);
}

std::vector<ParallelPlan> enumerate_plans(const ModelSpec& m, int count) {
  std::vector<ParallelPlan> plans;
  for (int tp = 1; tp <= count; tp *= 2) {
    const bool split_heads = m.heads % tp == 0;
    // Wide EP: the tp chips are one attention-DP + expert-parallel group
    // (heads are not split, so any power of two dividing the experts).
    const bool wide_ep = m.moe && tp >= 2 && m.moe->num_experts % tp == 0;
    if (count % tp != 0 || !(split_heads || wide_ep)) continue;
    for (int pp = 1; tp * pp <= count; ++pp) {
      if ((count / tp) % pp != 0 || pp > m.layers) continue;
      const int dp = count / (tp * pp);
      for (int ep = 1; split_heads && ep <= tp; ep *= 2) {
        if (tp % ep != 0 || (ep > 1 && !m.moe)) continue;
        if (m.moe && m.moe->num_experts % ep != 0) continue;
        plans.push_back({tp, pp, ep, dp});
      }
      if (wide_ep) {
        // Attention tensor-parallel inside the ranks: attn_tp of 1, 2, 4, ...
        // leaving at least two ranks.
        for (int at = 1; at <= tp / 2; at *= 2) {
          if (m.heads % at == 0) plans.push_back({tp, pp, tp, dp, true, 1, at});
        }
      }
      // Context parallelism over groups of tp chips (pp = 1, ep = 1).
      for (int cp = 2; split_heads && pp == 1 && cp <= dp; cp *= 2) {
        if (dp % cp == 0) plans.push_back({tp, 1, 1, dp / cp, false, cp});
      }
    }
  }
  return plans;
}

}  // namespace cw
