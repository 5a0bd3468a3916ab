#include <fmt/core.h>

#include "api/workload_reports.hpp"
#include "cli/commands.hpp"
#include "cli/economics_view.hpp"
#include "cli/workload_flags.hpp"
#include "report/atomic_file.hpp"
#include "report/format.hpp"

namespace cw::cli {
namespace {

// Per-op totals of one step, ops of the same name summed over layers.
void print_breakdown(const char* title, const StepResult& s) {
  fmt::print("\n{} (total {})\n", title, format_time(s.total.time));
  fmt::print("  {:<20} {:>6} {:>12} {:>7}  {}\n", "op", "count", "time", "share", "bound");
  for (const OpTotal& r : op_totals(s)) {
    fmt::print("  {:<20} {:>6} {:>12} {:>6.1f}%  {}\n", r.name, r.count, format_time(r.cost.time),
               100.0 * r.cost.time / s.total.time, bound_name(r.cost.bound));
  }
}

}  // namespace

void register_eval(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Predict latency and throughput of a batch of requests");
  auto chip = std::make_shared<std::string>();
  auto w = std::make_shared<WorkloadArgs>();
  auto out = std::make_shared<OutputOptions>();
  auto html_path = std::make_shared<std::string>();
  cmd->add_option("--chip", *chip, "chip preset id or YAML path")->required();
  add_workload_options(*cmd, *w);
  cmd->add_option("--html", *html_path,
                  "also write a self-contained HTML report (figures, per-op time of the prefill "
                  "and decode iterations) to this file");
  add_format_option(*cmd, *out);
  cmd->callback([chip, w, out, html_path] {
    Evaluation e = evaluate_workload(*chip, *w);
    const WorkloadEconomics money = workload_economics(e);
    if (!html_path->empty()) write_file_atomically(*html_path, eval_html(e, *w, money));
    const FixedBatchResult& r = e.result;
    if (out->json()) {
      fmt::print("{}\n", eval_json(e, *w, money).dump(2));
      return;
    }
    fmt::print("{} on {} x {} ({}{}{}), precision {}: batch {}, input {}, output {}\n", e.model.id,
               e.plan.chips(), e.chip.id, e.plan.to_string(),
               w->overlap ? ", two-batch overlap" : "", routing_note(w->routing_skew),
               e.precision.name, w->batch, w->input, w->output);
    if (e.speculation.enabled()) fmt::print("speculative decoding: {}\n", e.speculation.describe());
    fmt::print("memory per chip: weights {}, KV cache {}, activations {} of {}\n",
               format_bytes(e.memory.weights), format_bytes(e.memory.kv_cache),
               format_bytes(e.memory.activations), format_bytes(e.memory.capacity));
    fmt::print("  TTFT         {}\n", format_time(r.ttft));
    fmt::print("  TPOT         {}\n", format_time(r.tpot));
    fmt::print("  end-to-end   {}\n", format_time(r.e2e));
    fmt::print("  throughput   {:.0f} output tokens/s ({:.0f} per chip)\n", r.output_tokens_per_s,
               r.output_tokens_per_s / e.plan.chips());
    print_economics(money);
    print_breakdown(fmt::format("prefill iteration, {} tokens", std::min(w->max_tokens,
                                w->batch * w->input)).c_str(), r.prefill);
    if (r.decode_steps > 0) {
      print_breakdown(fmt::format("decode iteration at mid context, batch {}", w->batch).c_str(),
                      r.decode);
    }
  });
}

}  // namespace cw::cli
