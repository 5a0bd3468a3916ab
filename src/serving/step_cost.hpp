// The simulator's step-cost function over a StepModel: each iteration's time
// and, when the chip has an energy table, the switching energy of the
// replica's chips (silicon/energy_model.hpp), with decode-only iterations
// memoised. A decode-only iteration's time and bytes are linear in the
// context between nearby contexts (attention streams each token's KV once),
// so cost(seqs, ctx) is taken from a grid of contexts kContextGrid tokens
// apart and interpolated; mixed iterations go to the model every time.
// Not thread-safe (neither is StepModel).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>

#include "engine/step_model.hpp"
#include "serving/engine_config.hpp"
#include "silicon/energy_model.hpp"

namespace cw {

class StepCostCache {
 public:
  // Contexts between cached points; interpolating stays within 0.25% of the
  // model (bounded by tests/serving/step_time_test.cpp).
  static constexpr int64_t kContextGrid = 64;

  // Without `energy`, every step's joules are 0 (a chip the silicon model
  // cannot cost).
  explicit StepCostCache(std::shared_ptr<StepModel> model,
                         std::optional<EnergyTable> energy = std::nullopt);
  StepCost operator()(const Batch& b);
  StepCostFn fn();  // calls this cache (which must outlive the function)

 private:
  StepCost direct(const Batch& b);
  // A decode-only batch of `seqs` at grid `context`, `tokens` each (one rank's under a
  // per-rank scheduler, whose group routes `group_tokens`; 0 otherwise).
  StepCost decode_point(int64_t seqs, int64_t context, int64_t tokens, int64_t group_tokens);

  struct Key {
    int64_t seqs, context, tokens, group_tokens;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      // splitmix-style mixing of the three fields.
      uint64_t h = static_cast<uint64_t>(k.seqs) * 0x9E3779B97F4A7C15ULL;
      h ^= static_cast<uint64_t>(k.context) + 0x632BE59BD9B4E019ULL + (h << 6) + (h >> 2);
      h ^= static_cast<uint64_t>(k.tokens) + 0x27D4EB2F165667C5ULL + (h << 6) + (h >> 2);
      h ^= static_cast<uint64_t>(k.group_tokens) + 0x85EBCA77C2B2AE63ULL + (h << 6) + (h >> 2);
      return static_cast<size_t>(h);
    }
  };

  std::shared_ptr<StepModel> model_;
  std::optional<EnergyTable> energy_;
  Dtype dtype_;  // the precision's dense-MLP dtype prices every FLOP (as eval does)
  std::unordered_map<Key, StepCost, KeyHash> points_;
  Batch probe_;
};

}  // namespace cw
