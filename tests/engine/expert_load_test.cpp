// Load of the busiest expert-parallel rank: normal order statistics, the
// binomial shift and the two-point spread against hand-computed values,
// Zipf popularity and its static and EPLB placements by hand, and the step
// model's MoE layers never cheaper than balanced routing.
#include "engine/expert_load.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "../support/step_fixture.hpp"
#include "engine/step_model.hpp"

namespace cw {
namespace {

// Uniform routing over `experts` experts, statically placed on `ranks` ranks.
ExpertPlacement uniform(int64_t experts, int ranks) {
  return place_experts(experts, 8, ranks, 0.0, false, 0);
}

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
  ExpertRows r = busiest_rank_rows(2048, 256, 32, uniform(256, 8), z);
  EXPECT_EQ(r.hi, 12);
  EXPECT_EQ(r.lo, 6);
  EXPECT_EQ(r.experts_hi, 16);
  EXPECT_EQ(r.experts_lo, 16);
  // One rank: no shift, only the spread: 2,048 over 256 experts = 8 +- 2.8.
  ExpertRows one = busiest_rank_rows(2048, 256, 256, uniform(256, 1), 0.0);
  EXPECT_EQ(one.hi, 11);
  EXPECT_EQ(one.lo, 5);
  // One expert per rank: the rank's whole shifted total, no spread.
  ExpertRows whole =
      busiest_rank_rows(2048, 256, 1, uniform(256, 256), expected_max_standard_normal(256));
  EXPECT_EQ(whole.experts_lo, 0);
  EXPECT_GT(whole.hi, 8);
  EXPECT_LE(whole.hi, 2048);
}

TEST(ExpertLoad, ImbalanceFadesWithLargeBatches) {
  // The busiest rank's excess over the mean grows as sqrt(a), so its share of
  // the mean shrinks as 1/sqrt(a).
  const double z = expected_max_standard_normal(8);
  auto excess = [&](int64_t a) {
    ExpertRows r = busiest_rank_rows(a, 256, 32, uniform(256, 8), z);
    return static_cast<double>(r.total()) / (a / 8.0) - 1;
  };
  EXPECT_GT(excess(2048), excess(65536));
  EXPECT_LT(excess(1 << 20), 0.01);
}

TEST(ExpertLoad, ZipfPopularityByHand) {
  for (double p : zipf_popularity(8, 0.0)) EXPECT_DOUBLE_EQ(p, 0.125);
  // 1, 1/2, 1/3, 1/4 over their sum 25/12.
  const std::vector<double> p = zipf_popularity(4, 1.0);
  EXPECT_NEAR(p[0], 0.48, 1e-12);
  EXPECT_NEAR(p[1], 0.24, 1e-12);
  EXPECT_NEAR(p[2], 0.16, 1e-12);
  EXPECT_NEAR(p[3], 0.12, 1e-12);
}

TEST(ExpertLoad, InclusionChancesSumToTheTopK) {
  // Uniform: k/E each.
  for (double q : inclusion_chances(zipf_popularity(8, 0.0), 2)) EXPECT_DOUBLE_EQ(q, 0.25);
  // Preference .48/.24/.16/.12, top-2: 2 x .48 = .96 <= 1, so 2 p_i each.
  const std::vector<double> two = inclusion_chances(zipf_popularity(4, 1.0), 2);
  EXPECT_NEAR(two[0], 0.96, 1e-12);
  EXPECT_NEAR(two[3], 0.24, 1e-12);
  // Top-3: expert 1 would get 1.44, so every token picks it; the other two
  // picks go to .24/.16/.12 in proportion: 2/.52 x p = .923, .615, .462.
  const std::vector<double> three = inclusion_chances(zipf_popularity(4, 1.0), 3);
  EXPECT_DOUBLE_EQ(three[0], 1.0);
  EXPECT_NEAR(three[1], 2 * 0.24 / 0.52, 1e-12);
  EXPECT_NEAR(three[3], 2 * 0.12 / 0.52, 1e-12);
  // A steep top-8 router over 256 experts: still exactly 8 picks per token,
  // so one token touches 8 experts.
  for (double skew : {1.0, 2.0, 3.0}) {
    double sum = 0;
    for (double q : inclusion_chances(zipf_popularity(256, skew), 8)) {
      EXPECT_LE(q, 1.0);
      sum += q;
    }
    EXPECT_NEAR(sum, 8.0, 1e-9) << skew;
    EXPECT_NEAR(touched_experts(place_experts(256, 8, 8, skew, false, 0), 8, 1, 0).total, 8.0,
                1e-9);
  }
}

TEST(ExpertLoad, StaticPlacementOfASkewedRouterByHand) {
  // Popularity .48/.24/.16/.12 on 2 ranks of 2 experts: population variance
  // v = 0.328/4 - 1/16 = 0.0195; a rank's share of two drawn without
  // replacement has variance 2 x 0.0195 x (4 - 2)/(4 - 1) = 0.026.
  const ExpertPlacement pl = place_experts(4, 1, 2, 1.0, false, 0);
  EXPECT_DOUBLE_EQ(pl.share, 0.5);
  EXPECT_NEAR(pl.share_sd, std::sqrt(0.026), 1e-12);
  EXPECT_NEAR(pl.copy_cv2, 4 * 0.328 - 1, 1e-12);
  EXPECT_EQ(pl.slots, 2);
  // Top-2 picks: min(1, 2 p_i).
  const ExpertPlacement two = place_experts(4, 2, 2, 1.0, false, 0);
  EXPECT_DOUBLE_EQ(two.pick[0], 0.96);
  EXPECT_DOUBLE_EQ(two.pick[3], 0.24);
  // One token touches its 2 experts; many tokens touch all 4.
  EXPECT_NEAR(touched_experts(two, 2, 1, 0).total, 2.0, 1e-12);
  EXPECT_NEAR(touched_experts(two, 2, 1000, 0).total, 4.0, 1e-9);
}

TEST(ExpertLoad, EplbPlacementByHand) {
  // Popularity .48/.24/.16/.12, 2 extra copies: both go to expert 1 (.48 ->
  // .24 per copy, then still the highest (ties keep the first) -> .16 per
  // copy). Copies .24 .16 .16 .16 .16 .12 packed heaviest first into the
  // lighter rank with a free slot (3 each): rank 0 gets .24, .16, .12 = .52,
  // rank 1 .16 x 3 = .48 (eplb.py's greedy, not the optimum .48/.52 split).
  const ExpertPlacement pl = place_experts(4, 1, 2, 1.0, true, 2);
  EXPECT_EQ(pl.slots, 3);
  EXPECT_NEAR(pl.share, 0.52, 1e-12);
  EXPECT_DOUBLE_EQ(pl.share_sd, 0.0);
  const double mean = 0.52 / 3, var = (0.24 * 0.24 + 0.16 * 0.16 + 0.12 * 0.12) / 3 - mean * mean;
  EXPECT_NEAR(pl.copy_cv2, var / (mean * mean), 1e-12);
  // Uniform popularity: EPLB without copies is the static placement's mean.
  EXPECT_DOUBLE_EQ(place_experts(256, 8, 8, 0.0, true, 0).share, 0.125);
}

TEST(ExpertLoad, AWideSpreadKeepsTheRanksTotal) {
  // Zipf 1 over 256 experts, static placement on 8 ranks: the per-expert
  // spread exceeds the mean, so the cold half keeps one row each and the hot
  // half carries the rest of the busiest rank's a/8 + z·sd rows.
  const double z = expected_max_standard_normal(8);
  const ExpertPlacement pl = place_experts(256, 8, 8, 1.0, false, 0);
  const double a = 65536.0 * 8, m = 0.125;
  const double rank_rows =
      a * m + z * std::sqrt(a * a * pl.share_sd * pl.share_sd + a * m * (1 - m));
  const ExpertRows r = busiest_rank_rows(65536 * 8, 256, 32, pl, z);
  EXPECT_EQ(r.lo, 1);
  EXPECT_GE(static_cast<double>(r.total()), rank_rows);
  EXPECT_LE(static_cast<double>(r.total()), rank_rows + static_cast<double>(r.experts_hi));
  // Uniform routing with about one row per expert: 256 choices on 8 ranks,
  // 39.5 rows on the busiest over 32 experts: 16 at 2 rows and 16 at 1.
  const ExpertRows few = busiest_rank_rows(256, 256, 32, uniform(256, 8), z);
  EXPECT_EQ(few.hi, 2);
  EXPECT_EQ(few.lo, 1);
}

TEST(ExpertLoad, UniformPlacementKeepsTheBalancedRoutingFormula) {
  // Skew 0 with or without EPLB (no copies): the same rows as uniform routing.
  const double z = expected_max_standard_normal(8);
  const ExpertRows a = busiest_rank_rows(2048, 256, 32, uniform(256, 8), z);
  const ExpertRows b = busiest_rank_rows(2048, 256, 32, place_experts(256, 8, 8, 0, true, 0), z);
  EXPECT_EQ(a.hi, b.hi);
  EXPECT_EQ(a.lo, b.lo);
}

TEST(ExpertLoad, SkewLoadsTheBusiestRankAndEplbRelievesIt) {
  // DeepSeek-V3's 256 experts on 8 ranks, 64k tokens x top-8: Zipf 1 routing
  // statically placed puts more rows on the busiest rank than uniform
  // routing; EPLB packing brings it back down, and 32 copies further.
  const double z = expected_max_standard_normal(8);
  const int64_t a = 65536 * 8;
  auto rows = [&](const ExpertPlacement& pl) {
    const int64_t local = pl.slots;
    return busiest_rank_rows(a, 256, local, pl, z).total();
  };
  const int64_t flat = rows(uniform(256, 8));
  const int64_t skewed = rows(place_experts(256, 8, 8, 1.0, false, 0));
  const int64_t packed = rows(place_experts(256, 8, 8, 1.0, true, 0));
  const int64_t copied = rows(place_experts(256, 8, 8, 1.0, true, 32));
  EXPECT_GT(skewed, 1.2 * flat);
  EXPECT_LT(packed, skewed);
  EXPECT_LE(copied, packed);
  EXPECT_GE(copied, flat * 0.99);
}

TEST(ExpertLoad, BusiestReceiverByHand) {
  // ranks · (share + z · share_sd), never below the mean (1).
  ExpertPlacement p;
  p.ranks = 4;
  p.share = 0.3;
  EXPECT_DOUBLE_EQ(busiest_receive_factor(p, 1.5), 1.2);
  p.share = 0.25;
  p.share_sd = 0.05;
  EXPECT_DOUBLE_EQ(busiest_receive_factor(p, 1.0), 1.2);
  p.share_sd = 0;
  p.share = 0.2;
  EXPECT_DOUBLE_EQ(busiest_receive_factor(p, 1.0), 1.0);
  // Uniform routing, static or packed: exactly the mean.
  const double z = expected_max_standard_normal(8);
  EXPECT_DOUBLE_EQ(busiest_receive_factor(place_experts(256, 8, 8, 0, false, 0), z), 1.0);
  EXPECT_DOUBLE_EQ(busiest_receive_factor(place_experts(256, 8, 8, 0, true, 0), z), 1.0);
  // Zipf 1: static placement loads the busiest receiver; EPLB relieves it.
  const double skewed = busiest_receive_factor(place_experts(256, 8, 8, 1.0, false, 0), z);
  const double packed = busiest_receive_factor(place_experts(256, 8, 8, 1.0, true, 0), z);
  EXPECT_GT(skewed, 1.1);
  EXPECT_LT(packed, skewed);
  EXPECT_GE(packed, 1.0);
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
