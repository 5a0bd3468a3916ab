// Load of the busiest expert-parallel rank: normal order statistics, the
// binomial shift and the two-point spread against hand-computed values, and
// the step model's MoE layers never cheaper than balanced routing.
#include "engine/expert_load.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "../support/step_fixture.hpp"
#include "engine/step_model.hpp"

namespace cw {
namespace {

TEST(ExpertLoad, ExpectedMaximaOfNormals) {
  EXPECT_DOUBLE_EQ(expected_max_standard_normal(1), 0.0);
  EXPECT_NEAR(expected_max_standard_normal(2), 1.0 / std::sqrt(std::numbers::pi), 1e-6);
  EXPECT_NEAR(expected_max_standard_normal(3), 1.5 / std::sqrt(std::numbers::pi), 1e-6);
  EXPECT_NEAR(expected_max_standard_normal(8), 1.4236, 1e-4);  // order-statistics tables
  EXPECT_NEAR(expected_max_standard_normal(32), 2.0697, 1e-3);
}

TEST(ExpertLoad, BusiestRankRowsByHand) {
  // 256 tokens x top-8 = 2,048 choices over 256 experts on 8 ranks (32 each):
  // mean 256 rows per rank, sd sqrt(2048 x 1/8 x 7/8) = 14.97, z8 = 1.4236 ->
  // 277.3 rows; 8.67 per expert, spread sqrt(8.67 x 255/256) = 2.94:
  // 16 experts at 12 rows, 16 at 6.
  const double z = expected_max_standard_normal(8);
  ExpertRows r = busiest_rank_rows(2048, 256, 8, 32, z);
  EXPECT_EQ(r.hi, 12);
  EXPECT_EQ(r.lo, 6);
  EXPECT_EQ(r.experts_hi, 16);
  EXPECT_EQ(r.experts_lo, 16);
  // One rank: no shift, only the spread: 2,048 over 256 experts = 8 +- 2.8.
  ExpertRows one = busiest_rank_rows(2048, 256, 1, 256, 0.0);
  EXPECT_EQ(one.hi, 11);
  EXPECT_EQ(one.lo, 5);
  // One expert per rank: the rank's whole shifted total, no spread.
  ExpertRows whole = busiest_rank_rows(2048, 256, 256, 1, expected_max_standard_normal(256));
  EXPECT_EQ(whole.experts_lo, 0);
  EXPECT_GT(whole.hi, 8);
  EXPECT_LE(whole.hi, 2048);
}

TEST(ExpertLoad, ImbalanceFadesWithLargeBatches) {
  // The busiest rank's excess over the mean grows as sqrt(a), so its share of
  // the mean shrinks as 1/sqrt(a).
  const double z = expected_max_standard_normal(8);
  auto excess = [&](int64_t a) {
    ExpertRows r = busiest_rank_rows(a, 256, 8, 32, z);
    return static_cast<double>(r.total()) / (a / 8.0) - 1;
  };
  EXPECT_GT(excess(2048), excess(65536));
  EXPECT_LT(excess(1 << 20), 0.01);
}

TEST(ExpertLoad, TheBusiestRankRunsAtLeastTheMeanLoad) {
  // DeepSeek-V3 wide EP over 8 H200: batch n routes 8n choices, n per rank on
  // average; the busiest rank's experts_up (gate+up, 4,096 x 7,168 per row)
  // runs more rows than that, and its excess shrinks as the batch grows.
  test::StepFixture f("h200-sxm", "deepseek-v3");
  StepOptions wide{8, 1, 8};
  wide.attention_dp = true;
  double previous = 1e9;
  for (int64_t n : {64, 512, 4096}) {
    Batch b;
    b.decode.push_back({n, 2048});
    StepResult r = f.run(wide, b);
    double flops = 0;
    for (const auto& lc : r.layers)
      for (const auto& op : lc.ops)
        if (std::string(lc.name) == "moe_layer" && std::string(op.name) == "experts_up")
          flops = op.cost.flops;
    const double mean = 2.0 * static_cast<double>(n) * 4096 * 7168;
    EXPECT_GT(flops, mean) << n;
    EXPECT_LT(flops / mean, previous) << n;
    previous = flops / mean;
  }
}

}  // namespace
}  // namespace cw
