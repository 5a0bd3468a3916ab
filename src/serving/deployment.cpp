#include "serving/deployment.hpp"

#include <fmt/core.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "config/error.hpp"

namespace cw {

StepCostFn Deployment::step_cost() const {
  return costs->fn();
}

std::string Deployment::describe() const {
  const EngineConfig& e = cluster.engine;
  const StepOptions& o = step->options();
  std::string plan = fmt::format("tp {}", tp);
  if (o.pp > 1) plan += fmt::format(" pp {}", o.pp);
  if (o.cp > 1) plan += fmt::format(" cp {}", o.cp);
  if (o.ep > 1) plan += fmt::format(" ep {}", o.ep);
  if (o.attention_dp) plan += " attention-DP";
  if (o.attention_dp && o.attn_tp > 1) plan += fmt::format(" (attention tp {})", o.attn_tp);
  if (o.eplb)
    plan += o.redundant_experts > 0 ? fmt::format(" EPLB +{} experts", o.redundant_experts)
                                    : std::string(" EPLB");
  if (o.routing_skew > 0) plan += fmt::format(", routing skew {:g}", o.routing_skew);
  if (o.overlap) plan += ", two-batch overlap";
  return fmt::format(
      "{} replica{} x {} ({} chips), max batch {}, max tokens {}{}, {}, {} router, KV {} "
      "blocks x {} tokens per replica{}",
      replicas, replicas == 1 ? "" : "s", plan, count, e.max_batch, e.max_tokens,
      e.chunked_prefill ? " (chunked prefill)" : "", policy_name(e.policy),
      router_name(cluster.router), e.kv_blocks, e.block_size,
      o.speculation.enabled() ? "; speculative decoding " + o.speculation.describe() : "");
}

Deployment make_deployment(std::shared_ptr<StepModel> step, int count, EngineConfig engine,
                           RouterPolicy router, int64_t min_tokens) {
  const ChipSpec& chip = step->chip();
  const ModelSpec& model = step->model();
  const Precision& precision = step->precision();
  const int tp = step->options().tp;
  const int cp = step->options().cp;
  const int pp = step->options().pp;
  const int group = tp * cp * pp;  // chips per replica
  if (count < 1 || count % group != 0) {
    const std::string shape =
        fmt::format("tp {}{}{}", tp, cp > 1 ? fmt::format(" x cp {}", cp) : "",
                    pp > 1 ? fmt::format(" x pp {}", pp) : "");
    throw UserError(cp * pp > 1
                        ? fmt::format("{} chips cannot be split into replicas of {} = {} chips; "
                                      "use a --count that is a multiple of {}",
                                      count, shape, group, group)
                        : fmt::format("{} chips cannot be split into tensor-parallel groups "
                                      "of {}; use a --tp that divides --count (or a count "
                                      "that is a multiple of {})",
                                      count, tp, tp));
  }
  Deployment d;
  d.count = count;
  d.tp = tp;
  d.cp = cp;
  d.pp = pp;
  d.replicas = count / group;
  d.silicon = std::make_shared<const WorkloadEconomics>(chip_economics(step->chip()));
  d.costs = std::make_shared<StepCostCache>(
      step, d.silicon->available() ? std::optional(d.silicon->sheet.energy) : std::nullopt);
  d.step = std::move(step);
  // Per chip: weights and the activation workspace of a max_tokens iteration,
  // then KV blocks in the configured share of what is left. Under attention
  // DP each rank holds its own sequences' KV whole and runs 1/ep of the
  // iteration's tokens; the replica's KV pool is the ranks' together, each
  // rank scheduling its own requests in its own pool (Replica).
  const StepOptions& so = d.step->options();
  const ParallelPlan plan = so.plan();
  const int kv_ranks = plan.attention_ranks();
  const int64_t rank_tokens = plan.per_attention_rank(engine.max_tokens);
  // Speculation adds the drafter's weights, its KV per token, and the k
  // drafts a request's last verification writes beyond its own tokens.
  const Speculation& spec = d.step->options().speculation;
  engine.speculation = spec;
  min_tokens += spec.draft_tokens;
  const MemoryBudget drafter = drafter_budget(chip, spec, model, precision, plan, 1);
  MemoryBudget base = memory_budget(chip, model, precision, plan, 0, rank_tokens);
  base.weights += drafter.weights;
  const double kv_per_token =
      memory_budget(chip, model, precision, plan, 1, 0).kv_cache + drafter.kv_cache;
  const double left = base.capacity - base.weights - base.activations;
  // Sliding-window layers: a window's cache reserved per request a rank may
  // run (TensorRT-LLM's per-sequence cyclic buffer), no more than the longest
  // request's context fills; the pool of blocks holds the full-attention
  // layers' tokens.
  const int64_t rank_batch = plan.per_attention_rank(engine.max_batch);
  const int64_t slot_window = rank_batch * model.window_tokens_held(min_tokens);
  const double windows = memory_budget(chip, model, precision, plan, 0, 0, slot_window).kv_cache;
  const double free = kKvMemoryFraction * left - windows;
  const double block_bytes = kv_per_token * static_cast<double>(engine.block_size);
  const double gb = 1e9;
  if (windows > 0 && free <= 0 && left > 0) {
    throw UserError(fmt::format(
        "{} at precision {} on tp {} x {}: the sliding-window caches of {} requests need {:.1f} GB "
        "per chip, more than the {:.1f} GB of KV cache room; use a smaller --max-batch",
        model.id, precision.name, tp, chip.id, rank_batch, windows / gb,
        kKvMemoryFraction * left / gb));
  }
  // Every layer windowed (Mistral-7B-v0.1): no cache grows with the context,
  // so each request may reach the model's longest context.
  const int64_t longest = std::max<int64_t>(min_tokens, model.max_positions);
  const int64_t blocks = free <= 0 ? 0
                         : block_bytes <= 0
                             ? rank_batch * ((longest + engine.block_size - 1) / engine.block_size)
                             : static_cast<int64_t>(std::floor(free / block_bytes));
  if (left <= 0) {
    throw UserError(fmt::format(
        "{} at precision {} does not fit on tp {} x {}: weights {:.1f} GB and activations {:.1f} "
        "GB per chip exceed its {:.1f} GB; use a larger --tp (about {} chips per replica), a "
        "lower precision, or a smaller --max-tokens",
        model.id, precision.name, tp, chip.id, base.weights / gb, base.activations / gb,
        base.capacity / gb,
        static_cast<int>(std::ceil((base.weights + base.activations) * tp / base.capacity))));
  }
  if (blocks == 0 && free > 0) {
    throw UserError(
        fmt::format("one KV block of {} tokens ({:.1f} GB) is larger than the {:.1f} "
                    "GB of KV cache each chip has room for; use a smaller "
                    "--block-size (16 is vLLM's default)",
                    engine.block_size, block_bytes / gb, free / gb));
  }
  if (blocks * engine.block_size < min_tokens) {
    throw UserError(fmt::format(
        "{} at precision {} does not fit on tp {} x {}: weights {:.1f} GB and activations {:.1f} "
        "GB per chip leave {:.1f} GB of {:.1f} GB, {:.0f}% of which ({:.1f} GB) is less KV "
        "cache than the {} tokens one request needs; use a larger --tp (more chips per "
        "replica), a lower precision, or a smaller --max-tokens",
        model.id, precision.name, tp, chip.id, base.weights / gb, base.activations / gb,
        std::max(0.0, left) / gb, base.capacity / gb, kKvMemoryFraction * 100,
        std::max(0.0, free) / gb, min_tokens));
  }
  engine.kv_blocks = blocks * kv_ranks;
  engine.attention_ranks = kv_ranks;
  engine.pipeline_stages = pp;
  // A token's KV over the replica: on the chips that split its attention
  // (its attention-DP rank's attn_tp, else tp), in each of the cp groups,
  // each pipeline stage holding its layers'.
  engine.kv_bytes_per_token = kv_per_token * plan.attention_tp() * plan.cp * pp;
  engine.swap_bandwidth = kHostLinkBandwidth * group;
  d.cluster.replicas = d.replicas;
  d.cluster.engine = engine;
  d.cluster.router = router;
  d.memory = memory_budget(chip, model, precision, plan, blocks * engine.block_size, rank_tokens,
                           slot_window);
  d.memory.weights += drafter.weights;
  d.memory.kv_cache += drafter.kv_cache * static_cast<double>(blocks * engine.block_size);
  return d;
}

nlohmann::json to_json(const Deployment& d) {
  const EngineConfig& e = d.cluster.engine;
  nlohmann::json j = {{"chips", d.count},
                      {"tp", d.tp},
                      {"cp", d.cp},
                      {"pp", d.pp},
                      {"ep", d.step->options().ep},
                      {"attention_dp", d.step->options().attention_dp},
                      {"attention_tp", d.step->options().plan().attention_tp()},
                      {"overlap", d.step->options().overlap},
                      {"eplb", d.step->options().eplb},
                      {"redundant_experts", d.step->options().redundant_experts},
                      {"routing_skew", d.step->options().routing_skew},
                      {"replicas", d.replicas},
                      {"max_batch", e.max_batch},
                      {"max_tokens", e.max_tokens},
                      {"chunked_prefill", e.chunked_prefill},
                      {"scheduler", policy_name(e.policy)},
                      {"router", router_name(d.cluster.router)},
                      {"preemption", e.preemption == Preemption::recompute ? "recompute" : "swap"},
                      {"kv_block_tokens", e.block_size},
                      {"kv_blocks_per_replica", e.kv_blocks},
                      {"kv_tokens_per_replica", e.kv_blocks * e.block_size},
                      {"memory_per_chip_bytes",
                       {{"capacity", d.memory.capacity},
                        {"weights", d.memory.weights},
                        {"kv_cache", d.memory.kv_cache},
                        {"activations", d.memory.activations}}}};
  const Speculation& spec = d.step->options().speculation;
  if (spec.enabled()) j["speculation"] = to_json(spec);
  return j;
}

}  // namespace cw
