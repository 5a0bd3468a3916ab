// How one serving replica schedules work: the knobs of a vLLM / TensorRT-LLM
// style engine with continuous batching, chunked prefill and a paged KV cache.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "engine/batch.hpp"
#include "engine/speculation.hpp"

namespace cw {

// Which work fills an iteration's token budget first.
enum class SchedulePolicy {
  // Every running decode gets its token, then prompt chunks take what is left
  // (Sarathi-Serve, vLLM with chunked prefill): steady TPOT.
  decode_first,
  // Prompt chunks (ongoing, then newly admitted FCFS) take the budget first and
  // decodes fill what is left; decodes stall while long prompts are waiting
  // (vLLM v0's default without chunking, Orca): low TTFT.
  prefill_first,
};

// What happens to a request whose KV blocks are taken back when memory runs out.
enum class Preemption {
  recompute,  // drop its KV; later re-prefill prompt + generated tokens (vLLM default)
  swap,       // copy its KV to host memory and back when resumed
};

struct EngineConfig {
  int64_t max_batch = 256;      // most requests admitted (running) at once
  int64_t max_tokens = 8192;    // most tokens one iteration processes (prefill + decode)
  bool chunked_prefill = true;  // split prompts across iterations to fit max_tokens
  // Attention-DP ranks of a wide-EP replica (SGLang's DP attention: a
  // scheduler per rank). With more than one, the replica is that many rank
  // schedulers in lockstep: requests are dealt round-robin to ranks, and each
  // rank has its own waiting queue, KV pool (kv_blocks / ranks), request
  // limit ceil(max_batch / ranks) and token budget max_tokens / ranks; an
  // iteration lasts as long as the busiest rank's step.
  int attention_ranks = 1;
  // Pipeline stages of the replica (vLLM's virtual engines, TensorRT-LLM's
  // micro-batches): with more than one, the replica is that many micro-batch
  // schedulers, requests dealt round-robin, each with its own waiting queue,
  // KV pool (kv_blocks / stages), ceil(max_batch / stages) running requests
  // and the full max_tokens per iteration. They run in lockstep: a round of
  // one iteration each lasts max(the longest micro-batch's pass through
  // every stage with the host's overhead, the sum of their bottleneck
  // stage times), the pipeline's steady state (StepCost::interval). Not
  // combined with attention_ranks.
  int pipeline_stages = 1;
  SchedulePolicy policy = SchedulePolicy::decode_first;
  int64_t block_size = 16;  // tokens per KV block (vLLM's default block size)
  int64_t kv_blocks = 0;    // KV blocks this replica holds (from the memory budget)
  // Free fraction kept back when admitting a prompt so running requests can
  // grow (vLLM BlockSpaceManager watermark = 0.01).
  double watermark = 0.01;
  Preemption preemption = Preemption::recompute;
  // swap only: bytes of KV per token on the replica and the host-link
  // bandwidth (bytes/s, all chips of the replica together).
  double kv_bytes_per_token = 0;
  double swap_bandwidth = 0;
  // Speculative decoding: each decoding sequence verifies k + 1 tokens per
  // iteration (its KV blocks hold the k drafts too) and emits
  // speculation.sampled_tokens(u) of them, u drawn from `acceptance_seed`,
  // the request and its progress (the same draws for any schedule).
  Speculation speculation = {};
  uint64_t acceptance_seed = 0;
};

const char* policy_name(SchedulePolicy p);
// Parses "decode-first" / "prefill-first"; UserError with a did-you-mean otherwise.
SchedulePolicy parse_policy(const std::string& s);

// What one engine iteration costs one replica: its duration and the switching
// energy of all the replica's chips (static power is added over the whole run
// by serving/serving_economics.hpp, busy or idle).
struct StepCost {
  double time = 0;    // seconds
  double joules = 0;  // dynamic energy, all chips of the replica
  // With pipeline stages: the slowest stage plus its transfer, how long the
  // micro-batch holds the pipeline's bottleneck (StepResult::interval less
  // the host's overhead, which engines overlap with the other micro-batches'
  // stages); 0 means `time` (no stages).
  double interval = 0;
  double stage_interval() const { return interval > 0 ? interval : time; }
};

// The cost of one engine iteration of `batch` on one replica. Tests inject a
// constant; real runs wrap a StepModel (serving/step_cost.hpp).
using StepCostFn = std::function<StepCost(const Batch&)>;

}  // namespace cw
