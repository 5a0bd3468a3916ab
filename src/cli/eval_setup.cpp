#include "cli/eval_setup.hpp"

#include <charconv>

#include "config/error.hpp"
#include "hardware/chip_loader.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw::cli {

// Largest tensor-parallel group `--tp auto` considers (one scale-up domain of
// today's GPU servers).
constexpr int kMaxAutoTp = 64;

void add_workload_options(CLI::App& cmd, WorkloadArgs& w) {
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
  cmd.add_option("--tp", w.tp, "tensor-parallel degree (chips), or auto")
      ->check(CLI::PositiveNumber | CLI::IsMember({"auto"}))
      ->capture_default_str();
}

Evaluation evaluate_workload(const std::string& chip_id, const WorkloadArgs& w) {
  Evaluation e{1, load_chip(chip_id), load_model(w.model), load_precision(w.precision), {}, {}};
  const int64_t step_tokens = std::min(w.max_tokens, w.batch * w.input);
  const int64_t cached = w.batch * (w.input + w.output);
  auto budget = [&](int tp) {
    return memory_budget(e.chip, e.model, e.precision, tp, cached, step_tokens);
  };
  if (w.tp == "auto") {
    // The smallest power-of-two degree that divides the heads and fits.
    e.tp = 1;
    while (!budget(e.tp).fits() && e.tp < kMaxAutoTp && e.model.heads % (2 * e.tp) == 0) {
      e.tp *= 2;
    }
  } else {
    // CLI11 only checked "a positive number": reject 1.5 (stoi read it as 1)
    // and values beyond int (stoi threw out_of_range, exit 70).
    const char* end = w.tp.data() + w.tp.size();
    auto [ptr, ec] = std::from_chars(w.tp.data(), end, e.tp);
    if (ec != std::errc() || ptr != end || e.tp < 1) {
      throw UserError("--tp: expected a whole number of chips or 'auto', got '" + w.tp + "'");
    }
  }
  e.memory = budget(e.tp);
  require_fits(e.memory, e.chip, e.model, e.precision, e.tp);
  StepModel step(e.chip, e.model, e.precision, StepOptions{e.tp});
  e.result = run_fixed_batch(step, FixedBatchRequest{w.batch, w.input, w.output, w.max_tokens});
  return e;
}

}  // namespace cw::cli
