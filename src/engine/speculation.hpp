// Speculative decoding (Leviathan, Kalman & Matias 2023; Chen et al. 2023):
// each decode iteration a cheap drafter proposes k tokens per sequence, the
// target model scores the k + 1 positions in one pass (engine/batch.hpp
// DecodeGroup::tokens), and each sequence keeps the draft's longest accepted
// prefix plus one token of the target's own. The drafter is a separate small
// model run k times, or a head of target-shaped layers on the target's own
// hidden states (DeepSeek-V3's multi-token-prediction module, EAGLE).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "engine/memory_fit.hpp"
#include "engine/parallel_plan.hpp"
#include "hardware/chip_spec.hpp"
#include "workload/model_spec.hpp"
#include "workload/precision.hpp"

namespace cw {

struct Speculation {
  int draft_tokens = 0;  // k, tokens proposed per sequence and iteration; 0 = off
  // α: probability that a draft token is accepted given every earlier one
  // was (the i.i.d. acceptance of Leviathan et al. §3.1). Measured values:
  // DeepSeek-V3's MTP module accepts its second token 85-90% of the time
  // (DeepSeek-V3 technical report §5.4.3).
  double acceptance = 0;
  // The drafter: a separate model, or (null) a self-draft head of
  // `head_layers` layers shaped like the target's last layer.
  std::shared_ptr<const ModelSpec> draft_model;
  int head_layers = 1;

  bool enabled() const { return draft_tokens > 0; }
  // Positions the target scores per sequence and iteration.
  int64_t verify_tokens() const { return draft_tokens + 1; }
  // Expected tokens a sequence emits per iteration (Leviathan et al. eq. 1):
  // sum_{i=0..k} α^i = (1 - α^(k+1)) / (1 - α); 1 when off.
  double expected_tokens() const;
  // Tokens a sequence emits in one iteration for a uniform draw u in [0, 1):
  // 1 + the accepted prefix length, whose distribution is P(j) = α^j (1 - α)
  // for j < k and α^k for j = k (inverse CDF). Deterministic in u.
  int64_t sampled_tokens(double u) const;
  // "k=3 acceptance 0.8 draft llama3.2-1b" / "... draft head (1 layer)".
  std::string describe() const;
};

// {draft_tokens, acceptance, drafter ("head" or the model id), head_layers,
// expected_tokens_per_iteration}.
nlohmann::json to_json(const Speculation& s);

// Throws UserError naming the flag when k or α is out of range, a head is
// asked of a model with no layers, or a separate draft model's vocabulary
// differs from the target's (its tokens could not be verified).
void check_speculation(const Speculation& s, const ModelSpec& target);

// The speculation that --speculative K, --acceptance A (< 0: not given) and
// --draft ("head" or a model id/path, loaded here) ask for on `target`,
// checked; off when K is 0. UserError naming the flag when A is missing,
// or when --acceptance/--draft come without --speculative.
Speculation resolve_speculation(int draft_tokens, double acceptance, const std::string& draft,
                                const ModelSpec& target);

// UserError when `s` is on and `workload` decodes with beam search (`beams`
// > 1 per request), which speculative decoding is not modelled with.
void require_greedy(const Speculation& s, const std::string& workload, int64_t beams);

// The model the drafter runs each draft step: the separate draft model, or
// the target cut to the head's layers (the kind of its last layer: an MoE
// layer for DeepSeek-V3, whose MTP module sits past the dense prefix).
ModelSpec drafter_model(const Speculation& s, const ModelSpec& target);

// The drafter's memory per chip of one replica of `plan`: its weights (a
// head shares the target's embedding and LM head but adds a 2h -> h
// projection per layer) and its own KV cache for `cached_tokens`, split over
// the plan's attention tensor-parallel group. Zero when speculation is off.
MemoryBudget drafter_budget(const ChipSpec& chip, const Speculation& s, const ModelSpec& target,
                            const Precision& precision, const ParallelPlan& plan,
                            int64_t cached_tokens);

}  // namespace cw
