#include "serving/tuner.hpp"

namespace cw {
namespace {

// A move must beat the current best by this much (ignore simulation noise).
constexpr double kImprovement = 1.001;

}  // namespace

double Tuner::score(const EngineKnobs& k) {
  auto it = memo_.find(k.key());
  if (it != memo_.end()) return it->second;
  const double s = score_fn_(k);
  memo_[k.key()] = s;
  return s;
}

bool Tuner::line(EngineKnobs& k, double& best, int64_t EngineKnobs::*field, int64_t lo,
                 int64_t hi) {
  for (bool up : {true, false}) {
    bool moved = false;
    for (int i = 0; i < 16; ++i) {
      EngineKnobs n = k;
      n.*field = up ? k.*field * 2 : k.*field / 2;
      if (n.*field < lo || n.*field > hi) break;
      const double s = score(n);
      if (!(s > best * kImprovement)) break;
      best = s;
      k = n;
      moved = true;
    }
    if (moved) return true;
  }
  return false;
}

EngineKnobs Tuner::climb(EngineKnobs k) {
  if (pins_.max_batch) k.max_batch = *pins_.max_batch;
  if (pins_.max_tokens) k.max_tokens = *pins_.max_tokens;
  if (pins_.policy) k.policy = *pins_.policy;
  double best = score(k);
  for (int round = 0; round < 4; ++round) {
    bool moved = false;
    if (!pins_.max_batch) {
      moved |= line(k, best, &EngineKnobs::max_batch, kMinBatch, kMaxBatch * k.ranks());
    }
    if (!pins_.max_tokens) {
      moved |= line(k, best, &EngineKnobs::max_tokens, kMinTokens, kMaxTokens * k.ranks());
    }
    if (!pins_.policy) {
      EngineKnobs f = k;
      f.policy = k.policy == SchedulePolicy::decode_first ? SchedulePolicy::prefill_first
                                                          : SchedulePolicy::decode_first;
      if (const double s = score(f); s > best * kImprovement) {
        best = s;
        k = f;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return k;
}

}  // namespace cw
