#include "engine/fixed_batch.hpp"

#include <algorithm>

#include "config/error.hpp"

namespace cw {
namespace {

// Prefill iterations: whole prompts packed up to the token budget; a prompt
// longer than the budget is split into chunks (chunked prefill).
double prefill_time(StepModel& step, const FixedBatchRequest& r, FixedBatchResult& out) {
  const int64_t budget = std::max<int64_t>(1, r.max_tokens_per_step);
  double t = 0;
  if (r.input <= budget) {
    const int64_t per_step = std::max<int64_t>(1, budget / r.input);
    int64_t left = r.batch;
    bool first = true;
    while (left > 0) {
      int64_t n = std::min(per_step, left);
      Batch b;
      b.prefill.push_back({n, r.input, r.input, true});
      if (first) {
        out.prefill = step.evaluate(b);
        t += out.prefill.total.time;
        first = false;
      } else {
        t += (n == per_step ? out.prefill.total.time : step.time(b));
      }
      ++out.prefill_steps;
      left -= n;
    }
    return t;
  }
  // Long prompts: each request is prefilled in chunks of `budget` tokens.
  for (int64_t done = 0; done < r.input; done += budget) {
    int64_t chunk = std::min(budget, r.input - done);
    Batch b;
    b.prefill.push_back({1, chunk, done + chunk, done + chunk == r.input});
    double s = done == 0 ? (out.prefill = step.evaluate(b)).total.time : step.time(b);
    t += s * static_cast<double>(r.batch);
    out.prefill_steps += r.batch;
  }
  return t;
}

double decode_step(StepModel& step, int64_t batch, int64_t context) {
  Batch b;
  b.decode.push_back({batch, context});
  return step.time(b);
}

}  // namespace

FixedBatchResult run_fixed_batch(StepModel& step, const FixedBatchRequest& r) {
  if (r.batch < 1 || r.input < 1 || r.output < 1) {
    throw UserError("batch, input and output must each be at least 1 (got batch " +
                    std::to_string(r.batch) + ", input " + std::to_string(r.input) +
                    ", output " + std::to_string(r.output) + ")");
  }
  FixedBatchResult out;
  out.ttft = prefill_time(step, r, out);
  // Decode step s (1..output-1) feeds token s and attends to input + s tokens.
  const int64_t steps = r.output - 1;
  out.decode_steps = steps;
  double decode_total = 0;
  if (steps > 0) {
    constexpr int64_t kExactSteps = 64;
    if (steps <= kExactSteps) {
      for (int64_t s = 1; s <= steps; ++s) decode_total += decode_step(step, r.batch, r.input + s);
    } else {
      // Step time is smooth in context: integrate by the trapezoid rule over
      // 32 intervals instead of costing every step.
      constexpr int kIntervals = 32;
      const double first = decode_step(step, r.batch, r.input + 1);
      double prev = first;
      double prev_s = 1;
      for (int i = 1; i <= kIntervals; ++i) {
        double s = 1 + static_cast<double>(steps - 1) * i / kIntervals;
        double cur = decode_step(step, r.batch, r.input + static_cast<int64_t>(s));
        decode_total += 0.5 * (prev + cur) * (s - prev_s);
        prev = cur;
        prev_s = s;
      }
      // Sum over integer steps = integral + half of each end point (Euler–Maclaurin).
      decode_total += 0.5 * (first + prev);
    }
    Batch mid;
    mid.decode.push_back({r.batch, r.input + std::max<int64_t>(1, steps / 2)});
    out.decode = step.evaluate(mid);
    out.tpot = decode_total / static_cast<double>(steps);
  }
  out.e2e = out.ttft + decode_total;
  out.output_tokens_per_s = static_cast<double>(r.batch * r.output) / out.e2e;
  return out;
}

}  // namespace cw
