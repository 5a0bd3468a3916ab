// The engine-limit tuner: coordinate ascent over powers of two within the
// per-engine bounds, pins held, every point scored once.
#include "serving/tuner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace cw {
namespace {

// Throughput that only grows with both limits: the climb stops at the bounds.
double unbounded(const EngineKnobs& k) {
  return static_cast<double>(k.max_batch) * static_cast<double>(k.max_tokens);
}

EngineKnobs wide_ep(int tp, int attn_tp) {
  EngineKnobs k{tp};
  k.attention_dp = true;
  k.attn_tp = attn_tp;
  return k;
}

TEST(Tuner, BoundsArePerEngine) {
  Tuner t(unbounded, KnobPins{});
  // A tensor-parallel replica is one engine: 2048 requests, 32768 tokens.
  const EngineKnobs tp = t.climb(EngineKnobs{8});
  EXPECT_EQ(tp.max_batch, 2048);
  EXPECT_EQ(tp.max_tokens, 32768);
  // A wide-EP replica of 8 one-chip ranks is 8 engines; of 4 two-chip ranks, 4.
  EXPECT_EQ(wide_ep(8, 1).ranks(), 8);
  const EngineKnobs eight = t.climb(wide_ep(8, 1));
  EXPECT_EQ(eight.max_batch, 8 * 2048);
  EXPECT_EQ(eight.max_tokens, 8 * 32768);
  const EngineKnobs four = t.climb(wide_ep(8, 2));
  EXPECT_EQ(four.max_batch, 4 * 2048);
  EXPECT_EQ(four.max_tokens, 4 * 32768);
}

TEST(Tuner, FindsTheOptimumOfASingleHill) {
  // Peak at batch 512, tokens 4096, prefill-first; every move away costs.
  int calls = 0;
  auto hill = [&calls](const EngineKnobs& k) {
    ++calls;
    const double b = std::log2(static_cast<double>(k.max_batch)) - 9;
    const double t = std::log2(static_cast<double>(k.max_tokens)) - 12;
    return 100 - b * b - t * t + (k.policy == SchedulePolicy::prefill_first ? 1 : 0);
  };
  Tuner t(hill, KnobPins{});
  const EngineKnobs best = t.climb(EngineKnobs{1});
  EXPECT_EQ(best.max_batch, 512);
  EXPECT_EQ(best.max_tokens, 4096);
  EXPECT_EQ(best.policy, SchedulePolicy::prefill_first);
  EXPECT_DOUBLE_EQ(t.score(best), 101);
  // Memoised: scoring a visited point again does not call the function.
  const int before = calls;
  t.score(best);
  EXPECT_EQ(calls, before);
}

TEST(Tuner, PinsAreNeverMoved) {
  KnobPins pins;
  pins.max_batch = 64;
  pins.policy = SchedulePolicy::decode_first;
  Tuner t(unbounded, pins);
  const EngineKnobs k = t.climb(wide_ep(8, 1));
  EXPECT_EQ(k.max_batch, 64);
  EXPECT_EQ(k.policy, SchedulePolicy::decode_first);
  EXPECT_EQ(k.max_tokens, 8 * 32768);
}

}  // namespace
}  // namespace cw
