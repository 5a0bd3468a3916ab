// Two-batch overlap: the two-chain schedule against hand-worked timelines,
// the micro-batch split, and the step model's overlapped layers against the
// bounds any overlap must respect.
#include "engine/two_batch_overlap.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "../support/step_fixture.hpp"
#include "engine/batch.hpp"
#include "engine/step_model.hpp"
#include "hardware/chip_loader.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

const std::vector<OverlapOp> kComputeThenComm{{1.0, false}, {1.0, true}};

TEST(TwoBatchSchedule, OneLayerHidesOneCollective) {
  // A: compute [0,1], comm [1,2]; B: compute [1,2] beside A's comm, comm [2,3].
  OverlapSchedule s = schedule_two_batches(kComputeThenComm, kComputeThenComm, 1, 0.0);
  EXPECT_DOUBLE_EQ(s.makespan, 3.0);  // 4 in turn
  EXPECT_DOUBLE_EQ(s.overlapped, 1.0);
  EXPECT_DOUBLE_EQ(s.time, 3.0);
  // Compute beside a collective runs on (1 - share) of the cores: +share x 1 s.
  EXPECT_DOUBLE_EQ(schedule_two_batches(kComputeThenComm, kComputeThenComm, 1, 0.25).time, 3.25);
}

TEST(TwoBatchSchedule, SteadyStateIsTheBusierResource) {
  // Two layers: A C[0,1] M[1,2] C[2,3] M[3,4]; B C[1,2] M[2,3] C[3,4] M[4,5].
  OverlapSchedule s = schedule_two_batches(kComputeThenComm, kComputeThenComm, 2, 0.0);
  EXPECT_DOUBLE_EQ(s.makespan, 5.0);
  EXPECT_DOUBLE_EQ(s.overlapped, 3.0);
  // Many layers: 2 s per layer (compute 2 x 1 s), plus 1 s of fill.
  EXPECT_DOUBLE_EQ(schedule_two_batches(kComputeThenComm, kComputeThenComm, 100, 0.0).makespan,
                   201.0);
  // Communication twice the compute: the network sets the pace (2 x 2 s per layer).
  std::vector<OverlapOp> heavy{{1.0, false}, {2.0, true}};
  EXPECT_DOUBLE_EQ(schedule_two_batches(heavy, heavy, 100, 0.0).makespan, 401.0);
}

TEST(TwoBatchSchedule, MicroBatchesAlternateStageByStage) {
  // Split compute stages schedule exactly as whole ones: B's compute never
  // slips between two of A's ops and delays A's collective.
  std::vector<OverlapOp> split{{0.25, false}, {0.75, false}, {0.4, true}, {0.6, true}};
  OverlapSchedule s = schedule_two_batches(split, split, 50, 0.0);
  OverlapSchedule whole = schedule_two_batches(kComputeThenComm, kComputeThenComm, 50, 0.0);
  EXPECT_DOUBLE_EQ(s.makespan, whole.makespan);
  EXPECT_DOUBLE_EQ(s.overlapped, whole.overlapped);
}

TEST(TwoBatchSchedule, NoCollectiveMeansNoOverlap) {
  std::vector<OverlapOp> compute{{1.5, false}, {0.5, false}};
  OverlapSchedule s = schedule_two_batches(compute, compute, 3, 0.3);
  EXPECT_DOUBLE_EQ(s.makespan, 12.0);  // everything on one engine, in turn
  EXPECT_DOUBLE_EQ(s.overlapped, 0.0);
  EXPECT_DOUBLE_EQ(s.time, 12.0);
}

TEST(MicroBatches, SequencesAreDealtAlternately) {
  Batch b;
  b.prefill.push_back({3, 128, 128, true});
  b.decode.push_back({5, 300});
  b.decode.push_back({2, 900});
  auto [first, second] = split_micro_batches(b);
  // Prefill 0,1,2 -> first gets 0 and 2. Decode positions 0..6 -> first gets 0,2,4 | 6.
  ASSERT_EQ(first.prefill.size(), 1u);
  EXPECT_EQ(first.prefill[0].sequences, 2);
  EXPECT_EQ(second.prefill[0].sequences, 1);
  ASSERT_EQ(first.decode.size(), 2u);
  EXPECT_EQ(first.decode[0].sequences, 3);
  EXPECT_EQ(first.decode[1].sequences, 1);
  EXPECT_EQ(second.decode[0].sequences, 2);
  EXPECT_EQ(second.decode[1].sequences, 1);
  EXPECT_EQ(second.decode[1].context, 900);
  EXPECT_EQ(first.new_tokens() + second.new_tokens(), b.new_tokens());
  EXPECT_EQ(first.logits_rows() + second.logits_rows(), b.logits_rows());
}

TEST(MicroBatches, ALonePromptIsCutByTokens) {
  Batch b;
  b.prefill.push_back({1, 1001, 1501, true});  // 500 tokens already cached
  auto [first, second] = split_micro_batches(b);
  ASSERT_EQ(first.prefill.size(), 1u);
  ASSERT_EQ(second.prefill.size(), 1u);
  EXPECT_EQ(first.prefill[0].new_tokens, 501);
  EXPECT_EQ(first.prefill[0].context, 1001);
  EXPECT_FALSE(first.prefill[0].last_chunk);
  EXPECT_EQ(second.prefill[0].new_tokens, 500);
  EXPECT_EQ(second.prefill[0].context, 1501);
  EXPECT_TRUE(second.prefill[0].last_chunk);
  EXPECT_EQ(first.logits_rows() + second.logits_rows(), 1);
  Batch lone;
  lone.decode.push_back({1, 4000});
  EXPECT_EQ(split_micro_batches(lone).second.new_tokens(), 0);
}

struct Fixture : test::StepFixture {
  Fixture() : StepFixture("h100-sxm", "llama3.1-70b") {}
  StepResult run(int tp, bool overlap, const Batch& b) const {
    StepOptions o{tp};
    o.overlap = overlap;
    return StepFixture::run(o, b);
  }
};

Batch prefill(int64_t sequences, int64_t tokens) {
  Batch b;
  b.prefill.push_back({sequences, tokens, tokens, true});
  return b;
}

const LayerClassResult& dense(const StepResult& r) {
  return *std::find_if(r.layers.begin(), r.layers.end(),
                       [](const auto& lc) { return std::string(lc.name) == "dense_layer"; });
}

TEST(TwoBatchStep, NothingToHideOnOneChipOrOneDecodeSequence) {
  Fixture f;
  EXPECT_DOUBLE_EQ(f.run(1, true, prefill(8, 512)).total.time,
                   f.run(1, false, prefill(8, 512)).total.time);
  Batch one;
  one.decode.push_back({1, 2048});
  EXPECT_DOUBLE_EQ(f.run(4, true, one).total.time, f.run(4, false, one).total.time);
}

TEST(TwoBatchStep, OverlappedLayerRespectsTheScheduleBounds) {
  // Prefill of 8 x 2,048 tokens on tp4: each layer's two halves, run in turn,
  // cost in_turn; overlapped they cost at least the busier resource and at
  // most in_turn plus the contention charge.
  Fixture f;
  StepResult on = f.run(4, true, prefill(8, 2048));
  const LayerClassResult& lc = dense(on);
  double compute = 0, comm = 0, hidden = 0;
  for (const auto& op : lc.ops) {
    if (std::string(op.name) == "overlap_hidden")
      hidden = op.cost.time;
    else
      (op.comm ? comm : compute) += op.cost.time;
  }
  ASSERT_GT(comm, 0.0);
  EXPECT_LT(hidden, 0.0);  // it saves time here
  EXPECT_GE(lc.per_layer.time, std::max(compute, comm) - 1e-12);
  EXPECT_LE(lc.per_layer.time, compute + comm + kCommCoreShare * comm);
  EXPECT_NEAR(lc.per_layer.time, compute + comm + hidden, 1e-12);
  // And the merged ops carry both halves' work: the same FLOPs as one batch.
  StepResult off = f.run(4, false, prefill(8, 2048));
  EXPECT_NEAR(lc.per_layer.flops / dense(off).per_layer.flops, 1.0, 1e-9);
}

TEST(TwoBatchStep, AWeightBoundDecodeStaysOneBatch) {
  // Decode batch 16 on tp8: every GEMM streams the weights, and two halves
  // would stream them twice for far less all-reduce hidden, so the engine
  // keeps one batch: same time, no overlap_hidden row.
  Fixture f;
  Batch b;
  b.decode.push_back({16, 2048});
  StepResult on = f.run(8, true, b);
  EXPECT_DOUBLE_EQ(on.total.time, f.run(8, false, b).total.time);
  for (const auto& op : dense(on).ops) EXPECT_STRNE(op.name, "overlap_hidden");
}

TEST(TwoBatchStep, OverlapIsNeverSlower) {
  Fixture f;
  for (int tp : {2, 4, 8}) {
    for (int64_t n : {1, 2, 7, 64, 256}) {
      Batch d;
      d.decode.push_back({n, 1500});
      EXPECT_LE(f.run(tp, true, d).total.time, f.run(tp, false, d).total.time) << tp << " " << n;
      Batch p = prefill(n, 512);
      EXPECT_LE(f.run(tp, true, p).total.time, f.run(tp, false, p).total.time) << tp << " " << n;
    }
  }
}

}  // namespace
}  // namespace cw
