// Tunes a replica's engine limits the way a submitter tunes TensorRT-LLM or
// vLLM (max_batch_size / max_num_seqs, max_num_tokens, scheduling policy):
// coordinate ascent over powers of two, each knob moved while the score
// improves. Scores are memoised, so revisiting a point is free.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "engine/parallel_plan.hpp"
#include "serving/engine_config.hpp"

namespace cw {

// Search bounds (powers of two). Batch: up to TensorRT-LLM's default
// max_batch_size of 2048 (BuildConfig) per engine, the engine the calibration
// measurements ran on [ASSUMED: their tuned engines stay within it; vLLM's
// max_num_seqs default is 256]; a wide-EP replica is one engine per
// attention-DP rank, so its bounds are per rank. Tokens: TensorRT-LLM's
// max_num_tokens default is 8192; chunks below 256 tokens waste the matrix units.
inline constexpr int64_t kMinBatch = 1, kMaxBatch = 2048;
inline constexpr int64_t kMinTokens = 256, kMaxTokens = 32768;

struct EngineKnobs {
  int tp = 1;
  int64_t max_batch = 256;
  int64_t max_tokens = 8192;
  SchedulePolicy policy = SchedulePolicy::decode_first;
  // Wide EP: the replica's tp chips run attention data-parallel with the
  // routed experts sharded over them (ep = tp). Not searched by the Tuner:
  // the caller picks the replica shapes.
  bool attention_dp = false;
  int attn_tp = 1;  // with attention_dp: chips per attention-DP rank
  // Pipeline stages of tp chips (not searched by the Tuner either).
  int pp = 1;
  // The replica's plan: tp chips (x pp stages), or a wide-EP group (ep = tp)
  // of attn_tp-chip ranks.
  ParallelPlan plan() const {
    ParallelPlan p{tp, pp};
    p.ep = attention_dp ? tp : 1;
    p.attention_dp = attention_dp;
    p.attn_tp = attention_dp ? attn_tp : 1;
    return p;
  }
  // Engines in the replica: one per attention-DP rank, else one.
  int ranks() const { return plan().attention_ranks(); }
  using Key = std::tuple<int, bool, int, int, int64_t, int64_t, SchedulePolicy>;
  Key key() const { return {tp, attention_dp, attn_tp, pp, max_batch, max_tokens, policy}; }
  using Group = std::tuple<int, bool, int, int>;
  Group group() const { return {tp, attention_dp, attn_tp, pp}; }  // the replica's shape
};

// Knobs held fixed (not searched).
struct KnobPins {
  std::optional<int64_t> max_batch, max_tokens;
  std::optional<SchedulePolicy> policy;
};

class Tuner {
 public:
  // Higher is better; 0 marks an infeasible point.
  using Score = std::function<double(const EngineKnobs&)>;
  Tuner(Score score, KnobPins pins) : score_fn_(std::move(score)), pins_(pins) {}

  double score(const EngineKnobs& k);
  // The best point reachable from `start` (at most 4 rounds over the knobs,
  // each knob at most 16 doublings or halvings per round).
  EngineKnobs climb(EngineKnobs start);

 private:
  bool line(EngineKnobs& k, double& best, int64_t EngineKnobs::*field, int64_t lo, int64_t hi);

  Score score_fn_;
  KnobPins pins_;
  std::map<EngineKnobs::Key, double> memo_;
};

}  // namespace cw
