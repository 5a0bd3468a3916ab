#include <fmt/core.h>

#include <sstream>

#include "api/workload_reports.hpp"
#include "cli/commands.hpp"
#include "cli/compare_scenario.hpp"
#include "cli/economics_view.hpp"
#include "cli/workload_flags.hpp"
#include "config/error.hpp"
#include "report/atomic_file.hpp"
#include "report/format.hpp"
#include "silicon/economics.hpp"

namespace cw::cli {

void register_compare(CLI::App& app) {
  auto* cmd = app.add_subcommand("compare", "Compare chips side by side on one workload");
  auto chips = std::make_shared<std::string>("sf2-inference,h100-sxm,h200-sxm,b200");
  auto w = std::make_shared<WorkloadArgs>();
  w->model = "llama3.1-70b";
  w->batch = 64;
  w->input = 2048;
  w->output = 512;
  w->tp = "auto";
  auto out = std::make_shared<OutputOptions>();
  auto sc = std::make_shared<ScenarioCompareArgs>();
  auto html_path = std::make_shared<std::string>();
  cmd->add_option("--chips", *chips, "comma-separated chip ids or paths")->capture_default_str();
  cmd->add_option("--scenario", sc->scenario,
                  "fixed (one batch: --batch/--input/--output) or an MLPerf scenario: "
                  "offline, server, interactive")
      ->capture_default_str();
  cmd->add_option("--benchmark", sc->benchmark,
                  "with an MLPerf scenario: llama2-70b, llama3.1-405b, llama3.1-8b, "
                  "mixtral-8x7b, deepseek-r1, gpt-j")
      ->capture_default_str();
  add_workload_options(*cmd, *w);
  cmd->add_option("--html", *html_path,
                  "also write a self-contained HTML report (bars and the table) to this file; "
                  "fixed scenario only");
  cmd->get_option("--model")->required(false)->capture_default_str();
  cmd->get_option("--batch")->capture_default_str();
  add_format_option(*cmd, *out);
  cmd->callback([cmd, chips, w, sc, out, html_path] {
    std::vector<std::string> ids;
    std::stringstream ss(*chips);
    for (std::string id; std::getline(ss, id, ',');) {
      if (!id.empty()) ids.push_back(id);
    }
    if (ids.empty()) throw UserError("--chips names no chip; give a comma-separated list");
    if (is_serving_scenario(sc->scenario)) {
      if (!html_path->empty())
        throw UserError(
            "--html is written for --scenario fixed only; drop --html or use "
            "--format json for --scenario " +
            sc->scenario);
      // The benchmark fixes the model and the requests.
      for (const char* flag :
           {"--model", "--batch", "--input", "--output", "--max-tokens", "--pp", "--ep", "--dp",
            "--cp", "--attention-dp", "--attention-tp", "--overlap", "--routing-skew", "--eplb",
            "--redundant-experts", "--speculative", "--acceptance", "--draft"}) {
        if (cmd->get_option(flag)->count() > 0) {
          throw UserError(fmt::format("{} does not apply to --scenario {}: the benchmark ({}) "
                                      "sets the model and requests; drop {} or use --scenario "
                                      "fixed",
                                      flag, sc->scenario, sc->benchmark, flag));
        }
      }
      ScenarioCompareArgs a = *sc;
      a.precision = w->precision;
      a.tp = w->tp;
      if (w->count > 0) a.count = w->count;
      compare_scenario(ids, a, *out);
      return;
    }
    const ChipComparison c = compare_chips(ids, *w);
    if (!html_path->empty()) write_file_atomically(*html_path, compare_html(c, *w));
    if (out->json()) {
      fmt::print("{}\n", compare_json(c, *w).dump(2));
      return;
    }
    const std::vector<Evaluation>& evals = c.evals;
    const std::vector<WorkloadEconomics>& money = c.money;
    fmt::print("{} at {} (tp {}{}): batch {}, input {}, output {}\n\n", w->model, w->precision,
               w->tp, speculation_note(*w), w->batch, w->input, w->output);
    fmt::print("{:<15} {:>5} {:>9} {:>9} {:>12} {:>8} {:>8} {:>9} {:>9} {:>9}\n", "chip", "chips",
               "TTFT", "TPOT", "tok/s/chip", "J/tok", "$/Mtok", "die mm2", "unit $", "price $");
    for (size_t i = 0; i < evals.size(); ++i) {
      const Evaluation& e = evals[i];
      const WorkloadEconomics& m = money[i];
      fmt::print("{:<15} {:>5} {:>9} {:>9} {:>12.0f}", e.chip.id, e.plan.chips(),
                 format_time(e.result.ttft), format_time(e.result.tpot),
                 e.result.output_tokens_per_s / e.plan.chips());
      if (m.unavailable.empty()) {
        fmt::print(" {:>8.2f} {:>8.3f} {:>9.0f} {:>9.0f} {:>9.0f}\n", m.joules_per_token,
                   m.dollars_per_mtok, m.sheet.area.total_mm2, m.sheet.cost.unit_cost,
                   m.sheet.tco.chip_price);
      } else {
        fmt::print("   (no silicon figures: see below)\n");
      }
    }
    for (const auto& m : money) {
      if (!m.unavailable.empty()) fmt::print("\nnote: {}\n", m.unavailable);
    }
    fmt::print("\nJ/tok: accelerator energy per output token; $/Mtok: chip, server and network\n"
               "capex over {} years plus power (PUE, $/kWh) per million output tokens; chips\n"
               "without a market price are costed from their modelled silicon (die mm2, unit $).\n",
               load_economics().depreciation_years);
  });
}

}  // namespace cw::cli
