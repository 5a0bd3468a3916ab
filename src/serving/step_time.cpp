#include "serving/step_time.hpp"

namespace cw {

double StepTimeCache::decode_point(int64_t seqs, int64_t context) {
  // Key: sequences in the high 32 bits, grid context in the low 32 (both far
  // below 2^32 in any deployment).
  const uint64_t key = (static_cast<uint64_t>(seqs) << 32) | static_cast<uint64_t>(context);
  auto it = points_.find(key);
  if (it != points_.end()) return it->second;
  probe_.prefill.clear();
  probe_.decode.assign(1, DecodeGroup{seqs, context});
  const double t = model_->time(probe_);
  points_.emplace(key, t);
  return t;
}

double StepTimeCache::operator()(const Batch& b) {
  if (!b.prefill.empty() || b.decode.size() != 1) return model_->time(b);
  const DecodeGroup& g = b.decode.front();
  if (g.context < kContextGrid) return model_->time(b);
  // Linear interpolation between the grid points around the context.
  const int64_t lo = g.context / kContextGrid * kContextGrid;
  const int64_t hi = lo + kContextGrid;
  const double t0 = decode_point(g.sequences, lo);
  if (g.context == lo) return t0;
  const double t1 = decode_point(g.sequences, hi);
  return t0 + (t1 - t0) * static_cast<double>(g.context - lo) / static_cast<double>(hi - lo);
}

StepTimeFn StepTimeCache::fn() {
  return [this](const Batch& b) { return (*this)(b); };
}

}  // namespace cw
