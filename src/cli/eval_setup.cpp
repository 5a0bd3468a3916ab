#include "cli/eval_setup.hpp"

#include <fmt/core.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "config/error.hpp"
#include "engine/workload_run.hpp"
#include "hardware/chip_loader.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw::cli {
namespace {

// Largest tensor-parallel group `--tp auto` considers (one scale-up domain of
// today's GPU servers).
constexpr int kMaxAutoTp = 64;

FixedWorkload fixed_workload(const WorkloadArgs& w) {
  return FixedWorkload{w.batch, w.input, w.output, w.max_tokens, w.overlap, w.routing_skew};
}

MemoryBudget budget_for(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                        const ParallelPlan& plan, const WorkloadArgs& w) {
  return fixed_workload_budget(chip, model, precision, plan, fixed_workload(w));
}

// The smallest plans (fewest chips, then lowest tp) that would hold the
// workload, of the same kind as the refused one (attention-DP or not).
std::string plans_that_fit(const ChipSpec& chip, const ModelSpec& model,
                           const Precision& precision, const WorkloadArgs& w,
                           bool attention_dp) {
  std::string out;
  for (int chips = 1; chips <= 64 && out.empty(); chips *= 2) {
    for (const ParallelPlan& p : enumerate_plans(model, chips)) {
      if (p.dp != 1 || p.cp != 1 || p.attention_dp != attention_dp || (!attention_dp && p.ep != 1))
        continue;
      if (budget_for(chip, model, precision, p, w).fits()) {
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

std::string routing_note(double routing_skew) {
  return routing_skew > 0 ? fmt::format(", routing skew {:g}", routing_skew) : "";
}

void add_routing_options(CLI::App& cmd, double& routing_skew, bool& eplb, int& redundant) {
  cmd.add_option("--routing-skew", routing_skew,
                 "MoE: Zipf exponent of the experts' popularity, p_i ~ i^-s (0 = uniform "
                 "routing)")
      ->capture_default_str();
  cmd.add_flag("--eplb", eplb,
               "MoE: place experts by load over the ep ranks (DeepSeek EPLB) instead of "
               "E/ep consecutive experts per rank");
  // Copies are placed by EPLB: a positive count turns it on here, the one
  // place the flags meet (a malformed value is left to the option's parse).
  cmd.add_option("--redundant-experts", redundant,
                 "MoE with --eplb: extra copies of the heaviest experts (each rank holds "
                 "(E + R) / ep); sets --eplb")
      ->each([&eplb](const std::string& v) {
        int r = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), r);
        if (ec == std::errc() && end == v.data() + v.size() && r > 0) eplb = true;
      })
      ->capture_default_str();
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

void add_workload_options(CLI::App& cmd, WorkloadArgs& w, bool with_plan) {
  cmd.add_option("--model", w.model, "model preset id or HF config.json path")->required();
  cmd.add_option("--precision", w.precision, "precision recipe id or YAML path")
      ->capture_default_str();
  cmd.add_option("--batch", w.batch, "requests run together")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd.add_option("--input", w.input, "prompt tokens per request")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd.add_option("--output", w.output, "generated tokens per request")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd.add_option("--max-tokens", w.max_tokens, "most tokens one prefill iteration processes")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd.add_flag("--overlap", w.overlap,
               "two-batch overlap: split each iteration into two micro-batches whose all-reduce "
               "and expert all-to-all run while the other computes (SGLang/DeepSeek TBO)");
  add_routing_options(cmd, w.routing_skew, w.eplb, w.redundant_experts);
  if (!with_plan) return;
  cmd.add_option("--tp", w.tp, "tensor-parallel degree, or auto (fewest chips that fit)")
      ->check(CLI::PositiveNumber | CLI::IsMember({"auto"}))
      ->capture_default_str();
  cmd.add_option("--pp", w.pp, "pipeline stages")->check(CLI::PositiveNumber)->capture_default_str();
  cmd.add_option("--ep", w.ep, "expert-parallel degree within the TP group")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd.add_option("--cp", w.cp,
                 "context-parallel groups: each prompt's tokens split over cp groups of tp "
                 "chips (ring attention)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--dp", w.dp, "data-parallel replicas (default: count / (tp x pp))")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--count", w.count, "chips (default: tp x pp x dp)")->check(CLI::PositiveNumber);
  cmd.add_flag("--attention-dp", w.attention_dp,
               "wide EP: attention data-parallel over the tp chips, routed experts sharded over "
               "them with all-to-all dispatch/combine (needs --ep equal to --tp)");
  cmd.add_option("--attention-tp", w.attn_tp,
                 "with --attention-dp: chips per attention-DP rank, which split the attention "
                 "heads (tp / attention-tp ranks)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

Evaluation evaluate_plan(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
                         const ParallelPlan& plan, const WorkloadArgs& w) {
  check_plan(plan, model);
  Evaluation e{plan, chip, model, precision, budget_for(chip, model, precision, plan, w), {}};
  if (!e.memory.fits()) {
    try {
      require_fits(e.memory, chip, model, precision, plan.tp * plan.pp);
    } catch (const UserError& err) {
      throw UserError(std::string(err.what()) + ". Plans that fit: " +
                      plans_that_fit(chip, model, precision, w, plan.attention_dp));
    }
  }
  e.result = run_fixed_workload(chip, model, precision, plan, fixed_workload(w));
  return e;
}

Evaluation evaluate_workload(const std::string& chip_id, const WorkloadArgs& w) {
  ChipSpec chip = load_chip(chip_id);
  ModelSpec model = load_model(w.model);
  Precision precision = load_precision(w.precision);
  ParallelPlan plan{1, w.pp, w.ep, 1, w.attention_dp, w.cp, w.attn_tp, w.eplb, w.redundant_experts};
  if (w.tp == "auto") {
    if (w.attention_dp) {
      throw UserError("--attention-dp needs an explicit group size: give --tp and --ep equal "
                      "(e.g. --tp 8 --ep 8 --attention-dp) instead of --tp auto");
    }
    // The smallest power-of-two degree that divides the heads and fits (else
    // the largest tried, whose budget error names the plans that would fit).
    plan.tp = smallest_fitting_tp(chip, model, precision, plan, fixed_workload(w), kMaxAutoTp);
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

}  // namespace cw::cli
