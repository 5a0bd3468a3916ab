// A batch of identical requests started together (no queueing): the prompts
// are prefilled in iterations of at most `max_tokens_per_step` tokens, then
// the batch decodes until every request has `output` tokens. With pipeline
// parallelism the batch is split into min(pp, batch) micro-batches kept in
// flight, so an iteration takes max(one pass, micro-batches × interval). This is what
// `chipwright eval` reports and what the calibration kinds `latency` and
// `batch_throughput` measure.
#pragma once

#include <cstdint>

#include "engine/step_model.hpp"

namespace cw {

struct FixedBatchRequest {
  int64_t batch = 1;
  int64_t input = 128;   // prompt tokens per request
  int64_t output = 128;  // generated tokens per request (the first comes from prefill)
  int64_t max_tokens_per_step = 8192;  // prefill chunk budget per iteration
  int64_t replicas = 1;  // data-parallel copies; each runs ceil(batch / replicas) requests
};

struct FixedBatchResult {
  double ttft = 0;          // seconds until every request has its first token
  double tpot = 0;          // mean seconds per output token after the first
  double e2e = 0;           // seconds until every request is complete
  double output_tokens_per_s = 0;  // batch·output / e2e
  int64_t prefill_steps = 0;
  int64_t decode_steps = 0;
  StepResult prefill;       // breakdown of the first prefill iteration
  StepResult decode;        // breakdown of the decode iteration at mid context
};

FixedBatchResult run_fixed_batch(StepModel& step, const FixedBatchRequest& request);

}  // namespace cw
