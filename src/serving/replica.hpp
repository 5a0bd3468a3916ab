// One serving replica (a tensor-parallel group of chips running one copy of
// the model): a FCFS waiting queue, continuous batching under a request and a
// token budget, chunked prefill, a paged KV cache and preemption. A wide-EP
// replica (EngineConfig::attention_ranks > 1) holds one such scheduler per
// attention-DP rank and runs them in lockstep; a pipeline-parallel one
// (pipeline_stages > 1) one per micro-batch in flight. The cluster
// simulator (simulator.hpp) drives it: start() plans an iteration and returns
// when it ends; finish() applies its effects at that time. In a disaggregated
// deployment (disaggregated.hpp) a prefill replica hands each request off
// after its first token, holding its KV blocks until the transfer releases
// them, and a decode replica takes requests whose KV arrives over a link.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "serving/engine_config.hpp"
#include "serving/request.hpp"

namespace cw {

// What one iteration ran, for timelines and statistics.
struct IterationInfo {
  int replica = 0;
  double start = 0, end = 0;
  int64_t prefill_tokens = 0, prefill_seqs = 0, decode_seqs = 0;
  int64_t kv_used = 0, kv_total = 0;  // blocks
  int64_t preempted = 0;              // requests preempted while planning it
};

// What a replica runs: everything (colocated), or one phase of a
// disaggregated deployment.
enum class ReplicaRole { colocated, prefill, decode };

// A request a prefill replica finished prefilling; `blocks` stay allocated
// until release().
struct HandOff {
  int64_t r = 0;
  int64_t blocks = 0;
};

class Replica {
 public:
  // `requests` and `records` are the cluster's, indexed by request.
  Replica(int index, const EngineConfig& config, const StepCostFn& step_cost,
          const std::vector<Request>& requests, std::vector<RequestRecord>& records,
          ReplicaRole role = ReplicaRole::colocated);

  // Blocks request `r` needs at its largest (the last decode step).
  int64_t peak_blocks(const Request& r) const;
  // KV blocks one request can use at most: the replica's, or one rank's.
  int64_t pool_blocks() const { return ranks_.empty() ? cfg_.kv_blocks : ranks_[0].cfg_.kv_blocks; }
  void enqueue(int64_t r);  // under attention DP or pipeline stages, to the schedulers round-robin
  bool has_work() const;
  // Requests routed here and not finished (incl. decode-role arrivals).
  int64_t outstanding() const;

  // Plans the next iteration at `now` and returns its end time. Requires
  // has_work(). Returns +infinity, planning nothing, when all work waits for
  // KV blocks that transfers hold (disaggregated roles); throws InternalError
  // if nothing can be scheduled otherwise (a bug).
  double start(double now);
  // Applies the planned iteration; appends the requests it completed and,
  // in the prefill role, those it hands off (first token out, output > 1).
  void finish(std::vector<int64_t>& completed, std::vector<HandOff>* handed_off = nullptr);
  const IterationInfo& last() const { return info_; }

  // Prefill role: frees the blocks of a request whose KV transfer ended.
  void release(int64_t blocks);
  // Decode role: request `r` (prompt prefilled, first token out) waits for
  // KV blocks; reserve() gives them FCFS under max_batch and the watermark
  // and appends the requests whose transfer may start; land() adds a request
  // whose KV has arrived to the running batch.
  void enqueue_transfer(int64_t r);
  void reserve(std::vector<int64_t>& reserved);
  void land(int64_t r);

  // Totals over the run.
  double busy_time = 0;         // seconds spent in iterations
  double joules = 0;            // dynamic energy of the iterations (StepCost::joules)
  double kv_block_seconds = 0;  // ∫ used blocks dt
  int64_t kv_peak = 0;          // most blocks in use
  int64_t iterations = 0;
  int64_t preemptions = 0;

 private:
  // Progress of one request, kept inside the replica (contiguous, so the
  // per-iteration passes over the running batch stay in cache).
  struct Seq {
    int64_t r = 0;               // request index
    int64_t output = 1;          // tokens to generate
    int64_t prompt = 0;          // tokens to prefill: input, or input + generated after recompute
    int64_t gen_at_prompt = 0;   // tokens generated when `prompt` was set
    int64_t prefilled = 0;       // of `prompt`
    int64_t generated = 0;       // output tokens emitted so far
    int64_t blocks = 0;          // KV blocks held on the replica
    int64_t swapped_blocks = 0;  // KV blocks parked in host memory (swap preemption)
    int64_t chunk = 0;           // prompt tokens scheduled this iteration
    int width = 1;               // beams
    bool decode = false;         // scheduled to decode this iteration
    bool first_token = false;
    int64_t stored() const { return prompt + (generated - gen_at_prompt); }
  };
  Seq new_seq(int64_t r) const;  // request r, nothing prefilled or generated yet
  // One iteration in two halves: plan() schedules it into batch_ (false when
  // all work waits for blocks that KV transfers hold), commit() books its
  // duration and energy.
  bool plan();
  void commit(double now, double dt, double joules);
  // start() and finish() of a replica of attention-DP rank schedulers (or
  // pipeline micro-batch schedulers, whose round start_micro_batches times).
  double start_ranks(double now);
  double start_micro_batches(double now, double swap);
  void finish_ranks(std::vector<int64_t>& completed);
  int64_t used_blocks() const;  // KV blocks in use (all ranks')
  int64_t blocks_for(const Seq& s, int64_t stored_tokens) const;
  bool grow_for_decode(size_t i);  // false if running_[i] itself was preempted
  void preempt_last();
  void plan_decodes(int64_t& budget);
  void plan_prefills(int64_t& budget);
  void admit(int64_t& budget);
  int index_;
  ReplicaRole role_;
  EngineConfig cfg_;
  const StepCostFn& step_cost_;
  const std::vector<Request>& requests_;
  std::vector<RequestRecord>& records_;

  std::deque<Seq> waiting_;
  std::vector<Seq> running_;  // admission order
  std::deque<Seq> incoming_;  // decode role: waiting for blocks to receive KV into
  std::vector<Seq> landing_;  // decode role: blocks reserved, KV in flight
  int64_t held_blocks_ = 0;   // prefill role: blocks of handed-off requests
  int64_t free_blocks_;
  int64_t watermark_blocks_;

  double swap_seconds_ = 0;
  IterationInfo info_;
  Batch batch_;

  // Attention DP: the rank schedulers (empty otherwise), the next rank a
  // request is dealt to, and which ranks run the current iteration.
  std::vector<Replica> ranks_;
  size_t next_rank_ = 0;
  std::vector<char> running_ranks_;
};

}  // namespace cw
