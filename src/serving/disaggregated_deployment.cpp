#include "serving/disaggregated_deployment.hpp"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "config/error.hpp"
#include "hardware/system_loader.hpp"
#include "workload/model_stats.hpp"

namespace cw {
namespace {

// One pool as a deployment; a fit error names the pool's own flag.
Deployment make_pool(const char* pool, const ChipSpec& chip, const ModelSpec& model,
                     const Precision& precision, int replicas, int tp, const EngineConfig& engine,
                     RouterPolicy router, int64_t min_tokens, const Speculation& speculation) {
  try {
    StepOptions options{tp};
    options.speculation = speculation;
    auto step = std::make_shared<StepModel>(chip, model, precision, options);
    return make_deployment(std::move(step), replicas * tp, engine, router, min_tokens);
  } catch (const UserError& e) {
    throw UserError(fmt::format("{} pool (--{}-tp {}): {} [for this pool --tp means --{}-tp]",
                                pool, pool, tp, e.what(), pool));
  }
}

}  // namespace

SimulationResult DisaggregatedDeployment::simulate(const std::vector<Request>& requests,
                                                   const SimulationOptions& options) const {
  const KvTransferModel& kv = transfer;
  return simulate_disaggregated(
      requests, cluster(), prefill.step_cost(), decode.step_cost(),
      [&kv](int64_t tokens, int p, int d) { return kv.time(tokens, p, d); }, options);
}

std::string DisaggregatedDeployment::describe() const {
  return fmt::format("prefill pool {}\n               decode pool  {}", prefill.describe(),
                     decode.describe());
}

DisaggregatedDeployment make_disaggregated(const ChipSpec& chip, const ModelSpec& model,
                                           const Precision& precision, int count,
                                           const PoolSplit& split, const EngineConfig& engine,
                                           RouterPolicy router, int64_t min_prompt,
                                           int64_t min_tokens, const Speculation& speculation) {
  const PoolSplit& s = split;
  if (s.chips() > count) {
    throw UserError(fmt::format(
        "--prefill-replicas {} x --prefill-tp {} + --decode-replicas {} x --decode-tp {} = {} "
        "chips, more than --count {}; shrink the pools or raise --count to {}",
        s.prefill_replicas, s.prefill_tp, s.decode_replicas, s.decode_tp, s.chips(), count,
        s.chips()));
  }
  DisaggregatedDeployment d;
  d.count = count;
  d.split = s;
  d.prefill = make_pool("prefill", chip, model, precision, s.prefill_replicas, s.prefill_tp, engine,
                        router, min_prompt, {});
  d.decode = make_pool("decode", chip, model, precision, s.decode_replicas, s.decode_tp, engine,
                       router, min_tokens, speculation);
  d.transfer = make_kv_transfer(standard_system(chip, count), model, precision,
                                s.prefill_replicas, s.prefill_tp, s.decode_tp);
  if (speculation.enabled()) {
    // The drafter's KV of the prompt travels beside the target's, sharded alike.
    const double drafter = kv_cache_bytes_per_token(drafter_model(speculation, model), precision);
    d.transfer.busiest_bytes_per_token *=
        (d.transfer.bytes_per_token + drafter) / d.transfer.bytes_per_token;
    d.transfer.bytes_per_token += drafter;
  }
  return d;
}

nlohmann::json to_json(const DisaggregatedDeployment& d) {
  return {{"chips", d.count},
          {"chips_used", d.split.chips()},
          {"system", d.transfer.system.id},
          {"kv_bytes_per_token", d.transfer.bytes_per_token},
          {"prefill", to_json(d.prefill)},
          {"decode", to_json(d.decode)}};
}

}  // namespace cw
