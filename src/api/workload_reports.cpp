#include "api/workload_reports.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <iterator>
#include <limits>

#include "config/error.hpp"
#include "engine/expert_load.hpp"
#include "engine/precision_support.hpp"
#include "hardware/chip_loader.hpp"
#include "report/format.hpp"
#include "report/html.hpp"
#include "report/json_report.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {

nlohmann::json eval_json(const Evaluation& e, const WorkloadArgs& w,
                         const WorkloadEconomics& money) {
  nlohmann::json j = to_json(e.result, e.chip);
  j["chip"] = e.chip.id;
  j["model"] = e.model.id;
  j["precision"] = e.precision.name;
  j["chips"] = e.plan.chips();
  j["plan"] = plan_json(e.plan);
  j["plan"]["overlap"] = w.overlap;
  j["routing_skew"] = w.routing_skew;
  if (e.speculation.enabled()) j["speculation"] = to_json(e.speculation);
  j["batch"] = w.batch;
  j["input"] = w.input;
  j["output"] = w.output;
  j["memory"] = to_json(e.memory);
  if (money.unavailable.empty()) {
    j["joules_per_token"] = money.joules_per_token;
    j["average_power_w"] = money.average_power_w;
    j["dollars_per_million_tokens"] = money.dollars_per_mtok;
  } else {
    j["economics_unavailable"] = money.unavailable;
  }
  return j;
}

std::vector<OpTotal> op_totals(const StepResult& step) {
  std::vector<OpTotal> rows;
  for (const auto& lc : step.layers) {
    for (const auto& op : lc.ops) {
      auto it = std::find_if(rows.begin(), rows.end(),
                             [&](const OpTotal& r) { return r.name == op.name; });
      if (it == rows.end()) {
        rows.push_back({op.name, {}, 0});
        it = rows.end() - 1;
      }
      it->cost += op.cost.scaled(static_cast<double>(lc.count));
      it->count += lc.count;
    }
  }
  return rows;
}

std::string eval_html(const Evaluation& e, const WorkloadArgs& w, const WorkloadEconomics& money) {
  const FixedBatchResult& r = e.result;
  std::vector<std::vector<std::string>> figures = {
      {"TTFT", html::escape(format_time(r.ttft))},
      {"TPOT", html::escape(format_time(r.tpot))},
      {"end-to-end", html::escape(format_time(r.e2e))},
      {"output tokens/s", fmt::format("{:.0f} ({:.0f} per chip)", r.output_tokens_per_s,
                                      r.output_tokens_per_s / e.plan.chips())},
      {"memory per chip",
       html::escape(fmt::format("weights {}, KV cache {}, activations {} of {}",
                                format_bytes(e.memory.weights), format_bytes(e.memory.kv_cache),
                                format_bytes(e.memory.activations),
                                format_bytes(e.memory.capacity)))}};
  if (money.available()) {
    figures.push_back({"energy", fmt::format("{:.3f} J/token ({:.0f} W per chip)",
                                             money.joules_per_token, money.average_power_w)});
    figures.push_back(
        {"cost", fmt::format("${:.3f} per million output tokens", money.dollars_per_mtok)});
  } else {
    figures.push_back({"energy and cost", html::escape(money.unavailable)});
  }
  std::string body =
      "<p>" +
      html::escape(fmt::format(
          "{} on {} x {} ({}), precision {}: batch {}, input {}, output {}{}", e.model.id,
          e.plan.chips(), e.chip.id, e.plan.to_string(), e.precision.name, w.batch, w.input,
          w.output,
          e.speculation.enabled() ? "; speculative decoding " + e.speculation.describe() : "")) +
      "</p>\n" + html::table({"figure", "value"}, figures);
  auto step = [&](const std::string& title, const StepResult& s) {
    std::vector<html::Bar> bars;
    std::vector<std::vector<std::string>> rows;
    for (const OpTotal& op : op_totals(s)) {
      bars.push_back({op.name, op.cost.time * 1e3, "#1f5fbf"});
      rows.push_back(
          {html::escape(op.name), std::to_string(op.count), html::escape(format_time(op.cost.time)),
           fmt::format("{:.1f}%", 100.0 * op.cost.time / s.total.time), bound_name(op.cost.bound)});
    }
    return "<h2>" + html::escape(title + ", total " + format_time(s.total.time)) + "</h2>\n" +
           html::bars("time per op, all layers (ms)", bars, "{:.3f}") +
           html::table({"op", "count", "time", "share", "bound"}, rows);
  };
  body +=
      step(fmt::format("Prefill iteration, {} tokens", std::min(w.max_tokens, w.batch * w.input)),
           r.prefill);
  if (r.decode_steps > 0)
    body += step(fmt::format("Decode iteration at mid context, batch {}", w.batch), r.decode);
  body +=
      "<p class=\"note\">Made by chipwright eval; the per-op costs and their bounds are "
      "explained in README.md and docs/.</p>\n";
  return html::page("chipwright eval: " + e.model.id + " on " + e.chip.id, body);
}

ChipComparison compare_chips(const std::vector<std::string>& chip_ids, const WorkloadArgs& w) {
  if (chip_ids.empty()) throw UserError("compare: no chip given; name at least one chip");
  ChipComparison c;
  for (const std::string& id : chip_ids) {
    c.evals.push_back(evaluate_workload(id, w));
    c.money.push_back(workload_economics(c.evals.back()));
  }
  return c;
}

nlohmann::json compare_json(const ChipComparison& c, const WorkloadArgs& w) {
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < c.evals.size(); ++i) {
    const Evaluation& e = c.evals[i];
    const WorkloadEconomics& m = c.money[i];
    rows.push_back({{"chip", e.chip.id},
                    {"economics", to_json(m)},
                    {"economics_unavailable", m.unavailable},
                    {"chips", e.plan.chips()},
                    {"plan", e.plan.to_string()},
                    {"ttft_s", e.result.ttft},
                    {"tpot_s", e.result.tpot},
                    {"e2e_s", e.result.e2e},
                    {"output_tokens_per_s", e.result.output_tokens_per_s},
                    {"output_tokens_per_s_per_chip", e.result.output_tokens_per_s / e.plan.chips()},
                    {"memory", to_json(e.memory)}});
  }
  nlohmann::json j = {{"model", w.model}, {"precision", w.precision}, {"tp", w.tp},
                      {"batch", w.batch}, {"input", w.input},         {"output", w.output},
                      {"chips", rows}};
  if (w.speculative > 0) j["speculation"] = speculation_args_json(w);
  return j;
}

std::string compare_html(const ChipComparison& c, const WorkloadArgs& w) {
  const char* colours[] = {"#1f5fbf", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#566573"};
  std::vector<html::Bar> rate, energy, money;
  std::vector<std::vector<std::string>> rows;
  std::string notes;
  for (size_t i = 0; i < c.evals.size(); ++i) {
    const Evaluation& e = c.evals[i];
    const WorkloadEconomics& m = c.money[i];
    const std::string colour = colours[i % std::size(colours)];
    const double per_chip = e.result.output_tokens_per_s / e.plan.chips();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    rate.push_back({e.chip.id, per_chip, colour});
    energy.push_back({e.chip.id, m.available() ? m.joules_per_token : nan, colour});
    money.push_back({e.chip.id, m.available() ? m.dollars_per_mtok : nan, colour});
    std::vector<std::string> row{html::escape(e.chip.id),
                                 std::to_string(e.plan.chips()),
                                 html::escape(e.plan.to_string()),
                                 html::escape(format_time(e.result.ttft)),
                                 html::escape(format_time(e.result.tpot)),
                                 fmt::format("{:.0f}", per_chip)};
    if (m.available()) {
      for (double v : {m.joules_per_token, m.dollars_per_mtok})
        row.push_back(fmt::format("{:.3f}", v));
      for (double v : {m.sheet.area.total_mm2, m.sheet.cost.unit_cost, m.sheet.tco.chip_price})
        row.push_back(fmt::format("{:.0f}", v));
    } else {
      row.insert(row.end(), 5, "-");
      notes += "<p class=\"note\">" + html::escape(e.chip.id + ": " + m.unavailable) + "</p>\n";
    }
    rows.push_back(row);
  }
  const std::string what =
      fmt::format("{} at {} (tp {}{}): batch {}, input {}, output {}", w.model, w.precision, w.tp,
                  speculation_note(w), w.batch, w.input, w.output);
  std::string body = "<p>" + html::escape(what) + "</p>\n";
  body += html::bars("output tokens/s per chip (higher is better)", rate, "{:.0f}");
  body += html::bars("J per output token (lower is better)", energy, "{:.3f}");
  body += html::bars("$ per million output tokens (lower is better)", money, "{:.3f}");
  body += "<h2>Side by side</h2>\n" +
          html::table({"chip", "chips", "plan", "TTFT", "TPOT", "tok/s/chip", "J/tok", "$/Mtok",
                       "die mm2", "unit $", "price $"},
                      rows) +
          notes;
  body +=
      "<p class=\"note\">J/tok: accelerator energy per output token; $/Mtok: chip, server "
      "and network capex plus power per million output tokens; chips without a market "
      "price are costed from their modelled silicon. Made by chipwright compare.</p>\n";
  return html::page("chipwright compare: " + w.model, body);
}

PlanRanking rank_plans(const std::string& chip_id, int count, const WorkloadArgs& w) {
  if (count < 1) throw UserError(fmt::format("plan: count must be at least 1, got {}", count));
  PlanRanking r{
      load_chip(chip_id), load_model(w.model), load_precision(w.precision), count, {}, {}, {}};
  require_precision_runs(r.chip, r.model, r.precision);  // else every plan fails alike
  check_routing_options(w.routing_skew, w.eplb, r.model.moe.has_value(), r.model.id);
  std::vector<Evaluation> fits;
  for (ParallelPlan p : enumerate_plans(r.model, count)) {
    if (p.ep >= 2) {  // expert placement applies to expert-parallel plans
      p.eplb = w.eplb;
      p.redundant_experts = w.redundant_experts;
    }
    try {
      fits.push_back(evaluate_plan(r.chip, r.model, r.precision, p, w));
    } catch (const UserError& e) {
      r.rejected.push_back({p, e.what()});
    }
  }
  if (fits.empty()) {
    throw UserError(fmt::format(
        "no parallel plan of {} on {} x {} holds batch {} of {}+{} tokens ({} plans tried); "
        "use more chips, a lower precision or a smaller batch",
        r.model.id, count, r.chip.id, w.batch, w.input, w.output, r.rejected.size()));
  }
  r.by_throughput = fits;
  std::stable_sort(r.by_throughput.begin(), r.by_throughput.end(), [](auto& a, auto& b) {
    return a.result.output_tokens_per_s > b.result.output_tokens_per_s;
  });
  r.by_latency = std::move(fits);
  std::stable_sort(r.by_latency.begin(), r.by_latency.end(),
                   [](auto& a, auto& b) { return a.result.e2e < b.result.e2e; });
  return r;
}

nlohmann::json plan_ranking_json(const PlanRanking& r, const WorkloadArgs& w) {
  auto rows = [](const std::vector<Evaluation>& evals) {
    nlohmann::json out = nlohmann::json::array();
    for (const Evaluation& e : evals) {
      nlohmann::json row = plan_json(e.plan);
      row.update({{"ttft_s", e.result.ttft},
                  {"tpot_s", e.result.tpot},
                  {"e2e_s", e.result.e2e},
                  {"output_tokens_per_s", e.result.output_tokens_per_s},
                  {"memory_used_fraction", e.memory.used() / e.memory.capacity}});
      out.push_back(row);
    }
    return out;
  };
  nlohmann::json j = {{"chip", r.chip.id},
                      {"count", r.count},
                      {"model", r.model.id},
                      {"precision", r.precision.name},
                      {"overlap", w.overlap},
                      {"routing_skew", w.routing_skew},
                      {"by_throughput", rows(r.by_throughput)},
                      {"by_latency", rows(r.by_latency)},
                      {"rejected", r.rejected.size()}};
  if (w.speculative > 0) j["speculation"] = speculation_args_json(w);
  return j;
}

}  // namespace cw
