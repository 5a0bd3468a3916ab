// `chipwright mlperf`: a predicted MLPerf Inference LLM score and the
// deployment chosen for it.
#include <fmt/core.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "api/serving_requests.hpp"
#include "cli/commands.hpp"
#include "cli/economics_view.hpp"
#include "cli/workload_flags.hpp"
#include "report/format.hpp"
#include "serving/mlperf_search.hpp"

namespace cw::cli {
namespace {

void print_table(const MlperfResult& r) {
  const ServingMetrics& m = r.run.metrics;
  fmt::print("MLPerf {} {} on {} x {} (precision {})\n", r.benchmark, r.scenario, r.count, r.chip,
             r.precision);
  fmt::print("  deployment   {}\n", r.deployment.describe());
  fmt::print("  tokens/s     {:.0f}{}\n", r.run.tokens_per_s,
             r.run.valid ? "" : "  (INVALID: " + r.run.why + ")");
  fmt::print("  samples/s    {:.2f} ({} samples)\n", r.run.samples_per_s, r.run.samples);
  if (r.limits) {
    fmt::print("  server rate  {:.2f} queries/s\n", r.run.rate);
    // The sample p99 and LoadGen's early-stopping estimate (early_stopping.hpp).
    auto es = [](double v) { return std::isfinite(v) ? format_time(v) : std::string("too few samples"); };
    fmt::print("  TTFT p99     {} (early stopping {}, limit {})\n", format_time(m.ttft.p99),
               es(r.run.ttft_early_stopping),
               r.limits->ttft > 0 ? format_time(r.limits->ttft) : "none");
    fmt::print("  TPOT p99     {} (early stopping {}, limit {})\n", format_time(m.tpot.p99),
               es(r.run.tpot_early_stopping),
               r.limits->tpot > 0 ? format_time(r.limits->tpot) : "none");
    if (r.limits->e2e > 0) {
      fmt::print("  e2e p99      {} (early stopping {}, limit {})\n", format_time(m.e2e.p99),
                 es(r.run.e2e_early_stopping), format_time(r.limits->e2e));
    }
  } else {
    fmt::print("  TTFT p99     {}\n  TPOT p99     {}\n", format_time(m.ttft.p99),
               format_time(m.tpot.p99));
  }
  fmt::print("  utilisation  {:.1f}%, KV occupancy mean {:.1f}% peak {:.1f}%, {} preemptions\n",
             100 * m.utilisation, 100 * m.kv_occupancy_mean, 100 * m.kv_occupancy_peak,
             m.preemptions);
  print_economics(r.run.economics);
  fmt::print("  searched {} deployments\n", r.tried.size());
}

}  // namespace

void register_mlperf(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "mlperf",
      "Predict an MLPerf Inference LLM result, choosing the deployment as a tuned "
      "submitter would");
  auto a = std::make_shared<MlperfRequest>();
  auto out = std::make_shared<OutputOptions>();
  cmd->add_option("--chip", a->chip, "chip preset id or YAML path")->required();
  cmd->add_option("--count", a->count, "chips in the system")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--benchmark", a->benchmark,
                  "llama2-70b, llama3.1-405b, llama3.1-8b, mixtral-8x7b, deepseek-r1, gpt-j")
      ->required();
  cmd->add_option("--scenario", a->scenario, "offline, server or interactive")->required();
  cmd->add_option("--precision", a->precision, "precision recipe id or YAML path")
      ->capture_default_str();
  cmd->add_option("--tp", a->tp, "pin the tensor-parallel degree (default: searched)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-batch", a->max_batch, "pin the batch limit (default: searched)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-tokens", a->max_tokens, "pin the tokens per iteration (default: searched)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--scheduler", a->scheduler, "pin prefill-first or decode-first");
  add_routing_options(*cmd, a->routing_skew, a->eplb, a->redundant_experts);
  add_speculation_options(*cmd, a->speculative, a->acceptance, a->draft);
  add_format_option(*cmd, *out);
  cmd->callback([a, out] {
    MlperfResult r = run_mlperf(resolve(*a));
    if (out->json()) {
      fmt::print("{}\n", to_json(r).dump(2));
    } else {
      print_table(r);
    }
  });
}

}  // namespace cw::cli
