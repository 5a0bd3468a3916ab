#include <gtest/gtest.h>

#include <cmath>

#include "config/error.hpp"
#include "silicon/yield.hpp"

namespace cw {
namespace {

// Worked dies-per-wafer values, silicon.md §5 ([D]), d = 300 mm:
// DPW = π·150²/S − π·300/√(2S).
TEST(YieldDiesPerWafer, MatchesWorkedExamples) {
  // 100 mm²: 706.86 − 942.48/14.142 = 706.86 − 66.64 = 640.2
  EXPECT_NEAR(dies_per_wafer(100), 640.2, 0.1);
  // 300 mm²: 235.62 − 942.48/24.495 = 235.62 − 38.48 = 197.1
  EXPECT_NEAR(dies_per_wafer(300), 197.1, 0.1);
  // 600 mm²: 117.81 − 942.48/34.641 = 117.81 − 27.21 = 90.6
  EXPECT_NEAR(dies_per_wafer(600), 90.6, 0.1);
  // 814 mm² (H100): 86.84 − 942.48/40.349 = 86.84 − 23.36 = 63.5
  EXPECT_NEAR(dies_per_wafer(814), 63.5, 0.1);
  // 858 mm² (full reticle): 82.38 − 942.48/41.425 = 82.38 − 22.75 = 59.6
  EXPECT_NEAR(dies_per_wafer(858), 59.6, 0.1);
}

TEST(YieldDiesPerWafer, RejectsNonPositiveArea) {
  EXPECT_THROW(dies_per_wafer(0), UserError);
  EXPECT_THROW(dies_per_wafer(-5), UserError);
}

// silicon.md §5 table for an 814 mm² die (A = 8.14 cm²).
TEST(YieldModels, MatchWorkedTableFor814mm2) {
  const double a = 8.14;
  struct Row {
    double d0, poisson, murphy, nb3, nb2;
  };
  const Row rows[] = {
      {0.05, 0.666, 0.675, 0.683, 0.690},  // AD = 0.407: e^-0.407 = 0.666
      {0.10, 0.443, 0.468, 0.487, 0.505},  // AD = 0.814: (1 + 0.814/3)^-3 = 1.2713^-3 = 0.487
      {0.20, 0.196, 0.244, 0.272, 0.304},  // AD = 1.628: ((1 − e^-1.628)/1.628)² = 0.244
  };
  for (const auto& r : rows) {
    EXPECT_NEAR(yield_poisson(a, r.d0), r.poisson, 0.001) << r.d0;
    EXPECT_NEAR(yield_murphy(a, r.d0), r.murphy, 0.001) << r.d0;
    EXPECT_NEAR(yield_negative_binomial(a, r.d0, 3), r.nb3, 0.001) << r.d0;
    EXPECT_NEAR(yield_negative_binomial(a, r.d0, 2), r.nb2, 0.001) << r.d0;
  }
}

// Berkeley IEOR 130 worked values at A·D0 = 1 (silicon.md §5): Poisson 0.368,
// Murphy 0.400, Seeds (= negative binomial with α = 1) 0.500.
TEST(YieldModels, MatchBerkeleyAtAD1) {
  EXPECT_NEAR(yield_poisson(1, 1), 0.368, 0.001);
  EXPECT_NEAR(yield_murphy(1, 1), 0.400, 0.001);
  EXPECT_NEAR(yield_negative_binomial(1, 1, 1), 0.500, 1e-12);
}

TEST(YieldModels, NegativeBinomialTendsToPoisson) {
  EXPECT_NEAR(yield_negative_binomial(8.14, 0.1, 1e7), yield_poisson(8.14, 0.1), 1e-6);
}

TEST(YieldModels, ZeroAreaYieldsAll) {
  EXPECT_DOUBLE_EQ(yield_murphy(0, 0.1), 1.0);
  EXPECT_DOUBLE_EQ(yield_poisson(0, 0.1), 1.0);
}

TEST(YieldModels, ParseNamesWithSuggestion) {
  EXPECT_EQ(parse_yield_model("murphy"), YieldModel::murphy);
  try {
    parse_yield_model("poison");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'poisson'"), std::string::npos) << e.what();
  }
}

TEST(YieldRepair, ZeroSparesIsTheDieYield) {
  EXPECT_NEAR(repair_yield(YieldModel::poisson, 4, 0.1, 3, 0), yield_poisson(4, 0.1), 1e-12);
  EXPECT_NEAR(repair_yield(YieldModel::negative_binomial, 4, 0.1, 3, 0),
              yield_negative_binomial(4, 0.1, 3), 1e-12);
}

TEST(YieldRepair, PoissonCdf) {
  // μ = 1: P(N ≤ 1) = e^-1 (1 + 1) = 0.7358; P(N ≤ 2) = e^-1 · 2.5 = 0.9197
  EXPECT_NEAR(repair_yield(YieldModel::poisson, 10, 0.1, 3, 1), 0.7358, 1e-4);
  EXPECT_NEAR(repair_yield(YieldModel::poisson, 10, 0.1, 3, 2), 0.9197, 1e-4);
}

TEST(YieldRepair, NegativeBinomialCdf) {
  // μ = 1, α = 1 (geometric): P(k) = 0.5^(k+1); P(N ≤ 2) = 0.875
  EXPECT_NEAR(repair_yield(YieldModel::negative_binomial, 10, 0.1, 1, 2), 0.875, 1e-12);
}

TEST(YieldDieCost, WaferOverGoodDies) {
  // 814 mm²: ⌊63.5⌋ = 63 dies; $17,000 / (63 × 0.5) = $539.68
  EXPECT_NEAR(die_cost(17000, 814, 0.5), 17000 / 31.5, 1e-9);
  EXPECT_THROW(die_cost(17000, 814, 0.0), UserError);
  EXPECT_THROW(die_cost(17000, 80000, 0.9), UserError);
}

}  // namespace
}  // namespace cw
