#include "api/workload_eval.hpp"

#include <fmt/core.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "config/error.hpp"
#include "engine/workload_run.hpp"
#include "hardware/chip_loader.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

// Largest tensor-parallel group `--tp auto` considers (one scale-up domain of
// today's GPU servers).
constexpr int kMaxAutoTp = 64;

// The smallest plans (fewest chips, then lowest tp) that would hold the
// workload, of the same kind as the refused one (attention-DP or not).
std::string plans_that_fit(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                           const FixedWorkload& w, bool attention_dp) {
  std::string out;
  for (int chips = 1; chips <= 64 && out.empty(); chips *= 2) {
    for (const ParallelPlan& p : enumerate_plans(model, chips)) {
      if (p.dp != 1 || p.cp != 1 || p.attention_dp != attention_dp || (!attention_dp && p.ep != 1))
        continue;
      if (fixed_workload_budget(chip, model, precision, p, w).fits()) {
        out += (out.empty() ? "" : ", ") +
               (attention_dp
                    ? fmt::format("--tp {} --ep {} --pp {} --attention-dp{}", p.tp, p.ep, p.pp,
                                  p.attn_tp > 1 ? fmt::format(" --attention-tp {}", p.attn_tp) : "")
                    : fmt::format("--tp {} --pp {}", p.tp, p.pp));
      }
    }
  }
  return out.empty() ? "none up to 64 chips" : out;
}

}  // namespace

FixedWorkload fixed_workload(const WorkloadArgs& w, const ModelSpec& target) {
  return FixedWorkload{w.batch,
                       w.input,
                       w.output,
                       w.max_tokens,
                       w.overlap,
                       w.routing_skew,
                       resolve_speculation(w.speculative, w.acceptance, w.draft, target)};
}

std::string speculation_note(const WorkloadArgs& w) {
  if (w.speculative == 0) return "";
  return fmt::format(", speculative decoding k={}, acceptance {:g}, draft {}", w.speculative,
                     w.acceptance, w.draft);
}

nlohmann::json speculation_args_json(const WorkloadArgs& w) {
  if (w.speculative == 0) return nullptr;
  return {{"draft_tokens", w.speculative}, {"acceptance", w.acceptance}, {"draft", w.draft}};
}

std::string routing_note(double routing_skew) {
  return routing_skew > 0 ? fmt::format(", routing skew {:g}", routing_skew) : "";
}

nlohmann::json plan_json(const ParallelPlan& plan) {
  return {{"tp", plan.tp},
          {"pp", plan.pp},
          {"ep", plan.ep},
          {"dp", plan.dp},
          {"attention_dp", plan.attention_dp},
          {"attention_tp", plan.attention_tp()},
          {"cp", plan.cp},
          {"eplb", plan.eplb},
          {"redundant_experts", plan.redundant_experts}};
}

int parse_tp_degree(const std::string& s) {
  int tp = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, tp);
  if (ec != std::errc() || ptr != end || tp < 1) {
    throw UserError("--tp: expected a whole number of chips or 'auto', got '" + s + "'");
  }
  return tp;
}

Evaluation evaluate_plan(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                         const ParallelPlan& plan, const WorkloadArgs& w) {
  check_plan(plan, model);
  const FixedWorkload fixed = fixed_workload(w, model);
  Evaluation e{
      plan, chip, model, precision, fixed_workload_budget(chip, model, precision, plan, fixed), {}};
  if (!e.memory.fits()) {
    try {
      require_fits(e.memory, chip, model, precision, plan.tp * plan.pp);
    } catch (const UserError& err) {
      // --count alone replicates the model on every chip (dp = count).
      const std::string replicas =
          plan.dp > 1 && plan.tp * plan.pp * plan.cp == 1
              ? fmt::format(
                    ". --count {} with --tp 1 runs {} replicas of one chip each; give "
                    "--tp {} (or --tp auto) to split the model over them",
                    plan.chips(), plan.dp, plan.dp)
              : std::string();
      throw UserError(std::string(err.what()) + replicas + ". Plans that fit: " +
                      plans_that_fit(chip, model, precision, fixed, plan.attention_dp));
    }
  }
  e.result = run_fixed_workload(chip, model, precision, plan, fixed);
  e.speculation = fixed.speculation;
  return e;
}

Evaluation evaluate_workload(const std::string& chip_id, const WorkloadArgs& w) {
  ChipSpec chip = load_chip(chip_id);
  ModelSpec model = load_model(w.model);
  Precision precision = load_precision(w.precision);
  ParallelPlan plan{1, w.pp, w.ep, 1, w.attention_dp, w.cp, w.attn_tp, w.eplb, w.redundant_experts};
  if (w.tp == "auto") {
    if (w.attention_dp) {
      throw UserError(
          "--attention-dp needs an explicit group size: give --tp and --ep equal "
          "(e.g. --tp 8 --ep 8 --attention-dp) instead of --tp auto");
    }
    // The smallest power-of-two degree that divides the heads and fits (else
    // the largest tried, whose budget error names the plans that would fit).
    plan.tp =
        smallest_fitting_tp(chip, model, precision, plan, fixed_workload(w, model), kMaxAutoTp);
    if (plan.tp == 0) plan.tp = largest_tp(model, kMaxAutoTp);
  } else {
    plan.tp = parse_tp_degree(w.tp);
  }
  const int group = plan.tp * plan.pp * plan.cp;
  const std::string group_name = plan.cp > 1 ? "tp x pp x cp" : "tp x pp";
  if (w.dp > 0) {
    plan.dp = w.dp;
  } else if (w.count > 0) {
    if (w.count % group != 0) {
      throw UserError(
          fmt::format("--count {} is not a multiple of {} = {}; use a count of "
                      "{} or {}, or change --tp/--pp{}",
                      w.count, group_name, group, (w.count / group) * group,
                      (w.count / group + 1) * group, plan.cp > 1 ? "/--cp" : ""));
    }
    plan.dp = w.count / group;
  }
  if (w.count > 0 && w.count != plan.chips()) {
    throw UserError(fmt::format("--count {} differs from {} x dp = {} x {} = {}", w.count,
                                group_name, group, plan.dp, plan.chips()));
  }
  return evaluate_plan(chip, model, precision, plan, w);
}

WorkloadEconomics workload_economics(const Evaluation& e) {
  WorkloadEconomics w = chip_economics(e.chip);
  price_fixed_batch(w, e.chip, e.precision.dense_mlp.compute_dtype(), e.plan, e.result);
  return w;
}

}  // namespace cw
