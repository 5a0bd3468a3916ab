#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/eval_setup.hpp"
#include "config/error.hpp"
#include "engine/expert_load.hpp"
#include "engine/precision_support.hpp"
#include "hardware/chip_loader.hpp"
#include "report/format.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

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
    ChipSpec chip = load_chip(*chip_id);
    ModelSpec model = load_model(w->model);
    Precision precision = load_precision(w->precision);
    require_precision_runs(chip, model, precision);  // else every plan fails alike
    check_routing_options(w->routing_skew, w->eplb, model.moe.has_value(), model.id);
    std::vector<Evaluation> fits;
    std::vector<std::pair<ParallelPlan, std::string>> rejected;
    for (ParallelPlan p : enumerate_plans(model, *count)) {
      if (p.ep >= 2) {  // expert placement applies to expert-parallel plans
        p.eplb = w->eplb;
        p.redundant_experts = w->redundant_experts;
      }
      try {
        fits.push_back(evaluate_plan(chip, model, precision, p, *w));
      } catch (const UserError& e) {
        rejected.push_back({p, e.what()});
      }
    }
    if (fits.empty()) {
      throw UserError(fmt::format(
          "no parallel plan of {} on {} x {} holds batch {} of {}+{} tokens ({} plans tried); "
          "use more chips, a lower precision or a smaller batch",
          model.id, *count, chip.id, w->batch, w->input, w->output, rejected.size()));
    }
    auto by_throughput = fits;
    std::stable_sort(by_throughput.begin(), by_throughput.end(), [](auto& a, auto& b) {
      return a.result.output_tokens_per_s > b.result.output_tokens_per_s;
    });
    auto by_latency = fits;
    std::stable_sort(by_latency.begin(), by_latency.end(),
                     [](auto& a, auto& b) { return a.result.e2e < b.result.e2e; });
    auto row_json = [](const Evaluation& e) {
      nlohmann::json row = plan_json(e.plan);
      row.update({{"ttft_s", e.result.ttft},
                  {"tpot_s", e.result.tpot},
                  {"e2e_s", e.result.e2e},
                  {"output_tokens_per_s", e.result.output_tokens_per_s},
                  {"memory_used_fraction", e.memory.used() / e.memory.capacity}});
      return row;
    };
    if (out->json()) {
      nlohmann::json t = nlohmann::json::array(), l = nlohmann::json::array();
      for (const auto& e : by_throughput) t.push_back(row_json(e));
      for (const auto& e : by_latency) l.push_back(row_json(e));
      fmt::print("{}\n", nlohmann::json{{"chip", chip.id},
                                        {"count", *count},
                                        {"model", model.id},
                                        {"precision", precision.name},
                                        {"overlap", w->overlap},
                                        {"routing_skew", w->routing_skew},
                                        {"by_throughput", t},
                                        {"by_latency", l},
                                        {"rejected", rejected.size()}}
                             .dump(2));
      return;
    }
    fmt::print("{} on {} x {}, precision {}{}{}: batch {}, input {}, output {}\n", model.id, *count,
               chip.id, precision.name, w->overlap ? ", two-batch overlap" : "",
               routing_note(w->routing_skew), w->batch, w->input, w->output);
    fmt::print("{} plans fit, {} do not\n", fits.size(), rejected.size());
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
