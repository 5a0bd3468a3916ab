#include <fmt/core.h>

#include <algorithm>

#include "api/workload_reports.hpp"
#include "cli/commands.hpp"
#include "cli/workload_flags.hpp"
#include "report/format.hpp"

namespace cw::cli {

void register_plan(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "plan", "List the parallel plans (tp, pp, ep, dp) that fit on N chips, ranked");
  auto chip_id = std::make_shared<std::string>();
  auto count = std::make_shared<int>(8);
  auto w = std::make_shared<WorkloadArgs>();
  auto out = std::make_shared<OutputOptions>();
  cmd->add_option("--chip", *chip_id, "chip preset id or YAML path")->required();
  cmd->add_option("--count", *count, "chips")->check(CLI::PositiveNumber)->capture_default_str();
  add_workload_options(*cmd, *w, false);
  add_format_option(*cmd, *out);
  cmd->callback([chip_id, count, w, out] {
    const PlanRanking r = rank_plans(*chip_id, *count, *w);
    if (out->json()) {
      fmt::print("{}\n", plan_ranking_json(r, *w).dump(2));
      return;
    }
    const std::vector<Evaluation>& by_throughput = r.by_throughput;
    const std::vector<Evaluation>& by_latency = r.by_latency;
    const std::vector<Evaluation>& fits = by_throughput;
    fmt::print("{} on {} x {}, precision {}{}{}{}: batch {}, input {}, output {}\n", r.model.id,
               *count, r.chip.id, r.precision.name, w->overlap ? ", two-batch overlap" : "",
               routing_note(w->routing_skew), speculation_note(*w), w->batch, w->input, w->output);
    fmt::print("{} plans fit, {} do not\n", fits.size(), r.rejected.size());
    size_t width = 34;
    for (const auto& e : fits) width = std::max(width, e.plan.to_string().size());
    auto table = [width](const char* title, const std::vector<Evaluation>& rows) {
      fmt::print("\n{}\n  {:<{}} {:>10} {:>10} {:>10} {:>12} {:>9}\n", title, "plan", width, "TTFT",
                 "TPOT", "e2e", "tokens/s", "mem used");
      for (const auto& e : rows) {
        fmt::print("  {:<{}} {:>10} {:>10} {:>10} {:>12.0f} {:>8.0f}%\n", e.plan.to_string(), width,
                   format_time(e.result.ttft), format_time(e.result.tpot),
                   format_time(e.result.e2e), e.result.output_tokens_per_s,
                   100.0 * e.memory.used() / e.memory.capacity);
      }
    };
    table("ranked by throughput", by_throughput);
    table("ranked by latency (end-to-end)", by_latency);
  });
}

}  // namespace cw::cli
