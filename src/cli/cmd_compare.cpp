#include <fmt/core.h>

#include <sstream>

#include "cli/commands.hpp"
#include "cli/eval_setup.hpp"
#include "report/format.hpp"
#include "report/json_report.hpp"

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
  cmd->add_option("--chips", *chips, "comma-separated chip ids or paths")->capture_default_str();
  add_workload_options(*cmd, *w);
  cmd->get_option("--model")->required(false)->capture_default_str();
  cmd->get_option("--batch")->capture_default_str();
  add_format_option(*cmd, *out);
  cmd->callback([chips, w, out] {
    std::vector<Evaluation> evals;
    std::stringstream ss(*chips);
    for (std::string id; std::getline(ss, id, ',');) {
      if (!id.empty()) evals.push_back(evaluate_workload(id, *w));
    }
    if (out->json()) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& e : evals) {
        rows.push_back({{"chip", e.chip.id},
                        {"chips", e.plan.chips()},
                        {"plan", e.plan.to_string()},
                        {"ttft_s", e.result.ttft},
                        {"tpot_s", e.result.tpot},
                        {"e2e_s", e.result.e2e},
                        {"output_tokens_per_s", e.result.output_tokens_per_s},
                        {"output_tokens_per_s_per_chip", e.result.output_tokens_per_s / e.plan.chips()},
                        {"memory", to_json(e.memory)}});
      }
      fmt::print("{}\n", nlohmann::json{{"model", w->model}, {"precision", w->precision},
                                        {"tp", w->tp}, {"batch", w->batch},
                                        {"input", w->input}, {"output", w->output},
                                        {"chips", rows}}.dump(2));
      return;
    }
    fmt::print("{} at {} (tp {}): batch {}, input {}, output {}\n\n", w->model, w->precision,
               w->tp, w->batch, w->input, w->output);
    fmt::print("{:<16} {:>5} {:>10} {:>10} {:>10} {:>14} {:>9}\n", "chip", "chips", "TTFT", "TPOT",
               "e2e", "tokens/s/chip", "mem used");
    for (const auto& e : evals) {
      fmt::print("{:<16} {:>5} {:>10} {:>10} {:>10} {:>14.0f} {:>8.0f}%\n", e.chip.id, e.plan.chips(),
                 format_time(e.result.ttft), format_time(e.result.tpot), format_time(e.result.e2e),
                 e.result.output_tokens_per_s / e.plan.chips(), 100.0 * e.memory.used() / e.memory.capacity);
    }
  });
}

}  // namespace cw::cli
