// The simulator's step-time function over a StepModel, with decode-only
// iterations memoised. A decode-only iteration's time is linear in the
// context between nearby contexts (attention streams each token's KV once),
// so time(seqs, ctx) is taken from a grid of contexts kContextGrid tokens
// apart and interpolated; mixed iterations go to the model every time.
// Not thread-safe (neither is StepModel).
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

#include "engine/step_model.hpp"
#include "serving/engine_config.hpp"

namespace cw {

class StepTimeCache {
 public:
  // Contexts between cached points; interpolating stays within 0.25% of the
  // model (bounded by tests/serving/step_time_test.cpp).
  static constexpr int64_t kContextGrid = 64;

  explicit StepTimeCache(std::shared_ptr<StepModel> model) : model_(std::move(model)) {}
  double operator()(const Batch& b);
  StepTimeFn fn();  // calls this cache (which must outlive the function)

 private:
  double decode_point(int64_t seqs, int64_t context);

  std::shared_ptr<StepModel> model_;
  std::unordered_map<uint64_t, double> points_;  // (seqs, grid index) -> seconds
  Batch probe_;
};

}  // namespace cw
