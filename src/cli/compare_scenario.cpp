#include "cli/compare_scenario.hpp"

#include <fmt/core.h>

#include <future>
#include <nlohmann/json.hpp>

#include "api/workload_eval.hpp"
#include "cli/economics_view.hpp"
#include "cli/workload_flags.hpp"
#include "config/did_you_mean.hpp"
#include "config/error.hpp"
#include "report/format.hpp"
#include "serving/mlperf_search.hpp"

namespace cw::cli {
namespace {


std::string limit(double seconds) {
  return seconds > 0 ? format_time(seconds) : "none";
}

nlohmann::json row_json(const MlperfResult& r) {
  const ServingMetrics& m = r.run.metrics;
  const WorkloadEconomics& e = r.run.economics;
  nlohmann::json j = {{"chip", r.chip},
                      {"chips", r.count},
                      {"precision", r.precision},
                      {"tp", r.deployment.tp},
                      {"replicas", r.deployment.replicas},
                      {"attention_dp", r.deployment.step->options().attention_dp},
                      {"valid", r.run.valid},
                      {"tokens_per_s", r.run.tokens_per_s},
                      {"tokens_per_s_per_chip", r.run.tokens_per_s / r.count},
                      {"samples_per_s", r.run.samples_per_s},
                      {"ttft_p99_s", m.ttft.p99},
                      {"tpot_p99_s", m.tpot.p99},
                      {"economics", to_json(e)},
                      {"economics_unavailable", e.unavailable},
                      {"config", to_json(r.deployment)}};
  if (r.limits) j["server_qps"] = r.run.rate;
  if (!r.run.valid) j["invalid_reason"] = r.run.why;
  return j;
}

}  // namespace

bool is_serving_scenario(const std::string& scenario) {
  if (scenario == "fixed") return false;
  if (scenario == "offline" || scenario == "server" || scenario == "interactive") return true;
  throw UserError("unknown --scenario '" + scenario + "'. " +
                  suggestion(scenario, {"fixed", "offline", "server", "interactive"}));
}

void compare_scenario(const std::vector<std::string>& chips, const ScenarioCompareArgs& a,
                      const OutputOptions& out) {
  MlperfOptions o;
  o.count = a.count;
  o.benchmark = a.benchmark;
  o.scenario = parse_scenario(a.scenario);
  o.precision = a.precision;
  if (a.tp != "auto") o.tp = parse_tp_degree(a.tp);
  // Chips are independent (each run owns its step models and caches; the
  // shared system-preset cache is locked), so they run concurrently; results
  // and errors are taken in the order the chips were given.
  std::vector<std::future<MlperfResult>> runs;
  for (const std::string& id : chips) {
    MlperfOptions chip = o;
    chip.chip = id;
    runs.push_back(std::async(std::launch::async, run_mlperf_fixed, chip));
  }
  std::vector<MlperfResult> results;
  for (auto& run : runs) results.push_back(run.get());
  const std::optional<LatencyLimits> limits = results.front().limits;
  if (out.json()) {
    nlohmann::json rows = nlohmann::json::array();
    for (const MlperfResult& r : results) rows.push_back(row_json(r));
    nlohmann::json j = {{"benchmark", a.benchmark}, {"scenario", a.scenario},
                        {"precision", a.precision}, {"count", a.count},
                        {"chips", rows}};
    if (limits) j["limits"] = {{"ttft_p99_s", limits->ttft}, {"tpot_p99_s", limits->tpot}};
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("MLPerf {} {} at {} on {} chips each", a.benchmark, a.scenario, a.precision, a.count);
  if (limits) {
    fmt::print(" (p99 limits: TTFT {}, TPOT {})", limit(limits->ttft), limit(limits->tpot));
  }
  fmt::print("\n\n{:<15} {:>9} {:>9} {:>8} {:>9} {:>9} {:>7} {:>6} {:>7} {:>8} {:>7}\n", "chip",
             "plan", "tok/s", "/chip", "TTFT p99", "TPOT p99", "J/tok", "W/chip", "$/Mtok",
             "die mm2", "unit $");
  for (const MlperfResult& r : results) {
    const ServingMetrics& m = r.run.metrics;
    const WorkloadEconomics& e = r.run.economics;
    fmt::print("{:<15} {:>9} {:>9.0f} {:>8.0f} {:>9} {:>9}", r.chip,
               fmt::format("{}{}x{}", r.deployment.step->options().attention_dp ? "ep" : "tp",
                           r.deployment.tp, r.deployment.replicas),
               r.run.tokens_per_s, r.run.tokens_per_s / r.count, format_time(m.ttft.p99),
               format_time(m.tpot.p99));
    if (!r.run.valid) {
      fmt::print("   INVALID: {}\n", r.run.why);
    } else if (e.available()) {
      fmt::print(" {:>7.3f} {:>6.0f} {:>7.3f} {:>8.0f} {:>7.0f}\n", e.joules_per_token,
                 e.average_power_w, e.dollars_per_mtok, e.sheet.area.total_mm2,
                 e.sheet.cost.unit_cost);
    } else {
      fmt::print("   (no silicon figures: see below)\n");
    }
  }
  for (const MlperfResult& r : results) {
    if (!r.run.economics.available()) fmt::print("\nnote: {}: {}\n", r.chip, r.run.economics.unavailable);
  }
  fmt::print(
      "\nplan: tp degree x replicas (epN: wide expert parallelism over N chips); tok/s: LoadGen's\n"
      "output tokens/s ({}); J/tok: accelerator energy per output token (every iteration plus\n"
      "static power over the run); W/chip: average per chip; $/Mtok: TCO per million output "
      "tokens.\n",
      limits ? "highest valid Poisson rate" : "one Offline query");
}

}  // namespace cw::cli
