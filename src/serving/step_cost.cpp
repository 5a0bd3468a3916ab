#include "serving/step_cost.hpp"

namespace cw {

StepCostCache::StepCostCache(std::shared_ptr<StepModel> model, std::optional<EnergyTable> energy)
    : model_(std::move(model)),
      energy_(std::move(energy)),
      dtype_(model_->precision().dense_mlp.compute_dtype()) {}

StepCost StepCostCache::direct(const Batch& b) {
  const StepResult r = model_->evaluate(b);
  const Cost& c = r.total;
  // The cost is one tensor-parallel shard's (through every pipeline stage);
  // every chip of the replica runs one.
  const double joules =
      energy_ ? dynamic_energy_of(c, dtype_, *energy_) * model_->options().tp : 0.0;
  const StepOptions& o = model_->options();
  const double stage = o.pp > 1 ? r.interval - o.iteration_overhead : 0.0;
  return {c.time, joules, stage};
}

StepCost StepCostCache::decode_point(int64_t seqs, int64_t context, int64_t tokens,
                                     int64_t group_tokens) {
  const Key key{seqs, context, tokens, group_tokens};
  auto it = points_.find(key);
  if (it != points_.end()) return it->second;
  probe_.prefill.clear();
  probe_.decode.assign(1, DecodeGroup{seqs, context, tokens});
  probe_.group_tokens = group_tokens;
  const StepCost c = direct(probe_);
  points_.emplace(key, c);
  return c;
}

StepCost StepCostCache::operator()(const Batch& b) {
  if (!b.prefill.empty() || b.decode.size() != 1) return direct(b);
  const DecodeGroup& g = b.decode.front();
  if (g.context < kContextGrid) return direct(b);
  // Linear interpolation between the grid points around the context.
  const int64_t lo = g.context / kContextGrid * kContextGrid;
  const int64_t hi = lo + kContextGrid;
  const StepCost c0 = decode_point(g.sequences, lo, g.tokens, b.group_tokens);
  if (g.context == lo) return c0;
  const StepCost c1 = decode_point(g.sequences, hi, g.tokens, b.group_tokens);
  const double f = static_cast<double>(g.context - lo) / static_cast<double>(hi - lo);
  return {c0.time + (c1.time - c0.time) * f, c0.joules + (c1.joules - c0.joules) * f,
          c0.interval + (c1.interval - c0.interval) * f};
}

StepCostFn StepCostCache::fn() {
  return [this](const Batch& b) { return (*this)(b); };
}

}  // namespace cw
