#include "engine/fixed_batch.hpp"

#include <algorithm>
#include <cmath>

#include "config/error.hpp"

namespace cw {
namespace {

// Time for every sequence of `b` to advance one iteration of `make(n)` work
// per sequence: one pass when pp = 1; with pp stages, micro-batches of
// b / micro sequences pipelined through them.
template <class MakeBatch>
double iteration_time(StepModel& step, int64_t b, MakeBatch make) {
  const int64_t pp = step.options().pp;
  if (pp <= 1) return step.time(make(b));
  const int64_t micro = std::min(pp, b);
  StepResult r = step.evaluate(make((b + micro - 1) / micro));
  return std::max(r.total.time, static_cast<double>(micro) * r.interval);
}

// Prefill iterations: whole prompts packed up to the token budget; a prompt
// longer than the budget is split into chunks (chunked prefill). Under
// attention DP each of the replica's ranks schedules its own sequences with
// 1/ranks of the budget (SGLang divides chunked_prefill_size by the DP size),
// so an iteration holds the same number of prompts, or chunks, on every rank.
double prefill_time(StepModel& step, const FixedBatchRequest& r, FixedBatchResult& out) {
  const int64_t ranks = step.options().plan().attention_ranks();
  const int64_t budget = std::max<int64_t>(1, r.max_tokens_per_step / ranks);
  double t = 0;
  if (r.input <= budget) {
    const int64_t per_step = ranks * std::max<int64_t>(1, budget / r.input);
    int64_t left = r.batch;
    bool first = true;
    while (left > 0) {
      int64_t n = std::min(per_step, left);
      auto make = [&](int64_t k) {
        Batch b;
        b.prefill.push_back({k, r.input, r.input, true});
        return b;
      };
      if (first) {
        out.prefill = step.evaluate(make(n));
        first = false;
      }
      t += iteration_time(step, n, make);
      ++out.prefill_steps;
      left -= n;
    }
    return t;
  }
  // Long prompts: each request is prefilled in chunks of `budget` tokens,
  // one request per rank at a time.
  const int64_t rounds = (r.batch + ranks - 1) / ranks;
  const int64_t together = std::min(ranks, r.batch);
  for (int64_t done = 0; done < r.input; done += budget) {
    int64_t chunk = std::min(budget, r.input - done);
    auto make = [&](int64_t k) {
      Batch b;
      b.prefill.push_back({k, chunk, done + chunk, done + chunk == r.input});
      return b;
    };
    if (done == 0) out.prefill = step.evaluate(make(together));
    t += iteration_time(step, together, make) * static_cast<double>(rounds);
    out.prefill_steps += rounds;
  }
  return t;
}

// One decode iteration of `batch` sequences at `context` tokens attended
// (the new ones included); under speculation each verifies k + 1 tokens.
Batch decode_batch(const StepModel& step, int64_t batch, int64_t context) {
  Batch b;
  b.decode.push_back({batch, context, step.options().speculation.verify_tokens()});
  return b;
}

double decode_step(StepModel& step, int64_t batch, int64_t context) {
  return iteration_time(step, batch,
                        [&step, context](int64_t n) { return decode_batch(step, n, context); });
}

}  // namespace

FixedBatchResult run_fixed_batch(StepModel& step, const FixedBatchRequest& request) {
  if (request.replicas < 1) throw UserError("replicas must be at least 1");
  // Every replica runs its share of the batch; the slowest (largest) share sets the times.
  FixedBatchRequest r = request;
  r.batch = (request.batch + request.replicas - 1) / request.replicas;
  if (request.batch < 1 || r.input < 1 || r.output < 1) {
    throw UserError("batch, input and output must each be at least 1 (got batch " +
                    std::to_string(request.batch) + ", input " + std::to_string(r.input) +
                    ", output " + std::to_string(r.output) + ")");
  }
  FixedBatchResult out;
  out.ttft = prefill_time(step, r, out);
  // Decode iteration s (1..output-1) feeds token s and attends to input + s
  // tokens. Under speculation each iteration emits E tokens per sequence on
  // average (Speculation::expected_tokens), so (output - 1) / E iterations
  // run, the s-th attending to input + 1 + (s - 1)·E + k tokens.
  const Speculation& spec = step.options().speculation;
  const double per_step = spec.expected_tokens();
  const double steps =
      r.output > 1 ? std::max(1.0, static_cast<double>(r.output - 1) / per_step) : 0.0;
  auto context_at = [&](double s) {
    return r.input + 1 + static_cast<int64_t>((s - 1) * per_step) + spec.draft_tokens;
  };
  out.decode_steps = static_cast<int64_t>(std::llround(steps));
  double decode_total = 0;
  if (steps > 0) {
    constexpr int64_t kExactSteps = 64;
    if (!spec.enabled() && steps <= kExactSteps) {
      for (int64_t s = 1; s <= out.decode_steps; ++s)
        decode_total += decode_step(step, r.batch, context_at(static_cast<double>(s)));
    } else {
      // Step time is smooth in context: integrate by the trapezoid rule over
      // 32 intervals instead of costing every step.
      constexpr int kIntervals = 32;
      const double first = decode_step(step, r.batch, context_at(1));
      double prev = first;
      double prev_s = 1;
      for (int i = 1; i <= kIntervals; ++i) {
        double s = 1 + (steps - 1) * i / kIntervals;
        double cur = decode_step(step, r.batch, context_at(s));
        decode_total += 0.5 * (prev + cur) * (s - prev_s);
        prev = cur;
        prev_s = s;
      }
      // Sum over integer steps = integral + half of each end point (Euler–Maclaurin).
      decode_total += 0.5 * (first + prev);
    }
    out.decode = step.evaluate(decode_batch(step, r.batch, context_at(std::max(1.0, steps / 2))));
    out.tpot = decode_total / static_cast<double>(r.output - 1);
  }
  out.e2e = out.ttft + decode_total;
  out.output_tokens_per_s = static_cast<double>(request.batch * r.output) / out.e2e;
  return out;
}

}  // namespace cw
