// StepModel: the cost of one engine iteration (a mixed batch of prefill
// chunks and decode tokens) of one model on one chip (or one tensor-parallel
// shard). It turns the model into an ordered list of ops per layer class,
// costs each with the perf/ models and sums them.
// Layers with identical shapes form one class costed once (×count), which
// keeps a 126-layer step as cheap as a 1-layer one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/batch.hpp"
#include "engine/expert_load.hpp"
#include "engine/parallel_plan.hpp"
#include "engine/speculation.hpp"
#include "hardware/chip_spec.hpp"
#include "hardware/system_spec.hpp"
#include "perf/cost.hpp"
#include "perf/gemm_cache.hpp"
#include "workload/model_spec.hpp"
#include "workload/precision.hpp"

namespace cw {

// One op of a layer class, costed once per layer of that class.
struct OpRecord {
  const char* name;  // "qkv_proj", "attention_decode", "mlp_down", ... (static string)
  Cost cost;
  bool comm = false;  // a collective on the chip-to-chip links (all-reduce, dispatch, combine)
};

struct LayerClassResult {
  const char* name;  // "dense", "moe", "embedding", "lm_head" (static string)
  int64_t count = 1; // layers of this class
  std::vector<OpRecord> ops;
  Cost per_layer;    // sum of ops for one layer
};

struct StepResult {
  std::vector<LayerClassResult> layers;  // counts over all pipeline stages
  // One pass of the batch through every stage: stage times, the transfers
  // between stages and the engine's per-iteration overhead.
  Cost total;
  // Pipeline interval: the slowest stage plus its transfer (= total.time when
  // pp = 1). With pp micro-batches in flight a new one finishes every interval.
  double interval = 0;
};

// Host-side cost of one engine iteration that the accelerator waits for
// (scheduling the batch, launching the step's graph, sampling, detokenising).
// 2.0 ms is solved from one case, the vLLM latency benchmark on H200
// (h200-llama3.1-8b-e2e-b8: (833.4 - 574.6) ms / 128 iterations); ACCURACY.md
// validates it on the other latency cases.
inline constexpr double kDefaultIterationOverhead = 2.0e-3;

struct StepOptions {
  int tp = 1;  // tensor-parallel degree: heads, FFN and vocab are split tp ways
  int pp = 1;  // pipeline stages: layers are split into pp contiguous stages
  int ep = 1;  // expert parallelism within the TP group (ep divides tp)
  // Wide EP (ParallelPlan::attention_dp, needs ep = tp): the batch is the
  // group's; each rank runs attention, dense FFNs, shared experts and the LM
  // head whole on its share of the sequences, and the step is the busiest
  // rank's (busiest_rank_share), with the MoE dispatch and combine
  // all-to-alls on the critical path (unless `overlap`).
  bool attention_dp = false;
  // Under attention DP: chips per attention-DP rank (ParallelPlan::attn_tp),
  // which run attention, dense FFNs, shared experts and the LM head
  // tensor-parallel with an all-reduce; each dispatches 1/attn_tp of its
  // rank's tokens to the experts.
  int attn_tp = 1;
  // Two-batch overlap (engine/two_batch_overlap.hpp): each iteration's batch
  // runs as two micro-batches whose collectives overlap the other's compute,
  // in every layer class where that is faster than one batch. Layer classes
  // without collectives, or a batch that cannot be split (one decode
  // sequence), run as one batch.
  bool overlap = false;
  // Context parallelism (ParallelPlan::cp): every prefill chunk's tokens are
  // split over cp groups of tp chips, which run the linear layers on their
  // share, causal attention balanced 1/cp each (zig-zag split) with the KV
  // passed around the ring, overlapped with the attention (ring attention);
  // decode sequences run on every group, each attending to its 1/cp of the
  // cache, the partial outputs combined by a ring all-reduce. The step is
  // one group's.
  int cp = 1;
  // Expert placement (ParallelPlan::eplb, redundant_experts) and routing
  // skew: the Zipf exponent of the experts' popularity, 0 = uniform
  // (engine/expert_load.hpp). Skew costs through the busiest rank's rows.
  bool eplb = false;
  int redundant_experts = 0;
  double routing_skew = 0;
  double iteration_overhead = kDefaultIterationOverhead;  // seconds per iteration
  // Speculative decoding: every iteration with decode groups also runs the
  // drafter's k draft steps (a "draft" layer class of k passes); the decode
  // groups themselves carry the k + 1 verified tokens (DecodeGroup::tokens).
  Speculation speculation = {};
  // The options that run one replica of `plan` (its degrees, attention DP and
  // expert placement); overlap, skew, overhead and speculation keep their defaults.
  static StepOptions for_plan(const ParallelPlan& plan) {
    StepOptions o{plan.tp, plan.pp, plan.ep};
    o.attention_dp = plan.attention_dp;
    o.attn_tp = plan.attn_tp;
    o.cp = plan.cp;
    o.eplb = plan.eplb;
    o.redundant_experts = plan.redundant_experts;
    return o;
  }
  // One replica's parallel plan (dp = 1).
  ParallelPlan plan() const {
    return ParallelPlan{tp, pp, ep, 1, attention_dp, cp, attn_tp, eplb, redundant_experts};
  }
};

class StepModel {
 public:
  // Throws UserError when the precision needs a dtype the chip lacks or the
  // plan cannot run the model (see check_plan).
  StepModel(const ChipSpec& chip, const ModelSpec& model, const Precision& precision,
            StepOptions options = {});
  StepResult evaluate(const Batch& batch);
  // Only the total time (seconds), for hot loops.
  double time(const Batch& batch);

  const ChipSpec& chip() const { return chip_; }
  const ModelSpec& model() const { return model_; }
  const Precision& precision() const { return precision_; }
  const StepOptions& options() const { return options_; }

 private:
  // A layer class: dense or MoE FFN, full or sliding-window attention.
  struct LayerKind {
    bool moe = false;
    bool windowed = false;
    bool chunked = false;  // windowed layers attend within chunks (Llama 4)
    const char* name() const;
    bool operator==(const LayerKind&) const = default;
  };
  LayerKind kind_of(int64_t layer) const {
    const bool windowed = model_.is_windowed_layer(layer);
    return {model_.is_moe_layer(layer), windowed, windowed && model_.chunked_attention};
  }
  // The ops of one layer class for this rank's `batch` (ops not yet summed).
  LayerClassResult layer_class(const Batch& batch, int64_t routed_tokens, LayerKind kind,
                               int64_t count);
  // The same class with this rank's batch split into two overlapped
  // micro-batches: both halves' ops merged by name, plus an "overlap_hidden"
  // op whose (negative) time is what the schedule saves over running them in turn.
  struct MicroBatch {
    Batch batch;
    int64_t routed_tokens = 0;
  };
  LayerClassResult overlapped_layer_class(const MicroBatch& first, const MicroBatch& second,
                                          LayerKind kind, int64_t count);
  // The drafter's k passes over this rank's decode sequences, one token each
  // (nothing when speculation is off or the batch has no decodes).
  void add_draft(const Batch& batch, int64_t group_tokens, StepResult& r);
  // `windowed`: the layer attends over the model's sliding window only.
  void add_attention(const Batch& batch, bool windowed, std::vector<OpRecord>& ops);
  // Context parallelism: the ring passing each group's cache slice of
  // `token_bytes` per token (what `attention_time` leaves exposed), and the
  // combine of decode partial outputs `width` wide per head.
  void add_cp_ring(std::vector<OpRecord>& ops, int64_t sequences, int64_t context,
                   double token_bytes, double attention_time);
  void add_cp_combine(std::vector<OpRecord>& ops, int64_t sequences, int64_t heads, int64_t width);
  // `batch`: this rank's tokens; `routed_tokens`: the tokens of the whole
  // expert-parallel group routed to the experts (the same under TP + EP).
  void add_mlp(const Batch& batch, int64_t routed_tokens, bool moe, std::vector<OpRecord>& ops);
  void add_gemm(std::vector<OpRecord>& ops, const char* name, int64_t m, int64_t n, int64_t k,
                const NumberFormat& weights, int64_t batch = 1);
  // The routed experts' grouped GEMM on the busiest rank (expert_load.hpp).
  void add_expert_gemm(std::vector<OpRecord>& ops, const char* name, const ExpertRows& rows,
                       int64_t n, int64_t k);
  void add_vector(std::vector<OpRecord>& ops, const char* name, int64_t elements, double flops,
                  double special, double bytes_read, double bytes_written);

  Cost collective_cost(double bytes) const;  // all-reduce of `bytes` over attention_tp()
  int attention_tp() const { return options_.plan().attention_tp(); }

  ChipSpec chip_;
  SystemSpec system_;  // the chip's standard system holding tp × pp chips
  ModelSpec model_;
  Precision precision_;
  StepOptions options_;
  GemmCache gemms_;
  double act_bytes_;
  double busiest_rank_z_ = 0;  // expected_max_standard_normal(ep): routing imbalance
  ExpertPlacement placement_;  // routed experts over the ep ranks (MoE models)
  std::vector<std::pair<LayerKind, int64_t>> layer_kinds_;  // the model's classes and layer counts
  std::shared_ptr<StepModel> drafter_;  // speculation's draft model or head (null when off)
};

}  // namespace cw
