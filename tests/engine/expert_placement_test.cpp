// Routing skew and EPLB expert placement in a deployment: the plan's checks
// name the flag, redundant copies cost exactly their weights, and the step
// orders as it must (uniform <= EPLB with copies <= EPLB <= static placement
// of a skewed router).
#include <gtest/gtest.h>

#include <string>

#include "config/error.hpp"
#include "engine/batch.hpp"
#include "engine/memory_fit.hpp"
#include "engine/parallel_plan.hpp"
#include "engine/step_model.hpp"
#include "hardware/chip_loader.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/model_stats.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

std::string plan_error(const ParallelPlan& p, const char* model) {
  try {
    check_plan(p, load_model(model));
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

ParallelPlan wide(int ep, bool eplb, int redundant) {
  ParallelPlan p{ep, 1, ep, 1, true};
  p.eplb = eplb;
  p.redundant_experts = redundant;
  return p;
}

StepOptions options(const ParallelPlan& p, double skew) {
  StepOptions o{p.tp, 1, p.ep};
  o.attention_dp = p.attention_dp;
  o.eplb = p.eplb;
  o.redundant_experts = p.redundant_experts;
  o.routing_skew = skew;
  return o;
}

// Time of the ops named `a` and `b` over all layers of a step.
double ops_time(const StepResult& r, const std::string& a, const std::string& b) {
  double t = 0;
  for (const auto& lc : r.layers)
    for (const auto& op : lc.ops)
      if (op.name == a || op.name == b) t += op.cost.time * static_cast<double>(lc.count);
  return t;
}

double experts_time(const StepResult& r) {
  return ops_time(r, "experts_up", "experts_down");
}

// DeepSeek-V3 on 8 H200 under `plan` and routing `skew`, 8 prompts of 2,048
// tokens per rank.
StepResult deepseek_prefill(const ParallelPlan& plan, double skew) {
  Batch b;
  b.prefill.push_back({64, 2048, 2048});
  StepModel step(load_chip("h200-sxm"), load_model("deepseek-v3"), load_precision("fp8"),
                 options(plan, skew));
  return step.evaluate(b);
}

TEST(ExpertPlacement, PlanChecksNameTheFlag) {
  EXPECT_EQ(plan_error(wide(8, true, 32), "deepseek-v3"), "");
  EXPECT_EQ(wide(8, true, 32).to_string(), "tp8 pp1 ep8 dp1 attn-dp eplb+32");
  EXPECT_EQ(wide(8, true, 0).to_string(), "tp8 pp1 ep8 dp1 attn-dp eplb");
  // 256 + 3 copies do not fill 8 ranks evenly: the nearest counts that do.
  EXPECT_NE(plan_error(wide(8, true, 3), "deepseek-v3").find("use 0 or 8"), std::string::npos);
  EXPECT_NE(plan_error(wide(8, false, 8), "deepseek-v3").find("add --eplb"), std::string::npos);
  EXPECT_NE(plan_error(wide(8, true, -8), "deepseek-v3").find("--redundant-experts -8"),
            std::string::npos);
  // Every expert on every rank: 256 x 7 copies at most.
  EXPECT_NE(plan_error(wide(8, true, 1800), "deepseek-v3").find("exceeds 1792"), std::string::npos);
  ParallelPlan one{8, 1, 1, 1};
  one.eplb = true;
  EXPECT_NE(plan_error(one, "deepseek-v3").find("needs --ep 2 or more"), std::string::npos);
  ParallelPlan dense{2, 1, 1, 1};
  dense.eplb = true;
  EXPECT_NE(plan_error(dense, "llama3.1-8b").find("is dense"), std::string::npos);
}

TEST(ExpertPlacement, RedundantCopiesCostExactlyTheirWeights) {
  const ChipSpec chip = load_chip("h200-sxm");
  const ModelSpec m = load_model("deepseek-v3");
  const Precision p = load_precision("fp8");
  const double routed = routed_expert_bytes(m, p);
  // Wide EP: each rank holds (256 + 32)/8 = 36 experts instead of 32.
  const double base = memory_budget(chip, m, p, wide(8, true, 0), 0, 0).weights;
  const double copies = memory_budget(chip, m, p, wide(8, true, 32), 0, 0).weights;
  EXPECT_DOUBLE_EQ(copies - base, routed * 32.0 / 256.0 / 8.0);
  // EP inside a TP group: the copies split over the tp chips like the experts.
  ParallelPlan tp8{8, 1, 4, 1};
  const double tp_base = memory_budget(chip, m, p, tp8, 0, 0).weights;
  tp8.eplb = true;
  tp8.redundant_experts = 16;
  EXPECT_DOUBLE_EQ(memory_budget(chip, m, p, tp8, 0, 0).weights - tp_base,
                   routed * 16.0 / 256.0 / 8.0);
}

TEST(ExpertPlacement, SkewCostsAndEplbRecoversInPrefill) {
  // DeepSeek-V3 on 8 H200 (wide EP), 8 prompts of 2,048 tokens per rank:
  // the routed experts of the busiest rank.
  auto run = [](const ParallelPlan& plan, double skew) {
    return experts_time(deepseek_prefill(plan, skew));
  };
  const double uniform = run(wide(8, false, 0), 0);
  const double skewed = run(wide(8, false, 0), 1.0);
  const double packed = run(wide(8, true, 0), 1.0);
  const double copied = run(wide(8, true, 32), 1.0);
  EXPECT_GT(skewed, 1.3 * uniform);
  EXPECT_LT(packed, skewed);
  EXPECT_LT(copied, packed);
  EXPECT_GE(copied, 0.99 * uniform);
  // Skew 0 with EPLB and no copies is uniform routing exactly.
  EXPECT_DOUBLE_EQ(run(wide(8, true, 0), 0), uniform);
}

TEST(ExpertPlacement, TheBusiestReceiverSetsTheDispatch) {
  // DeepSeek-V3 on 8 H200 (wide EP): Zipf 1 statically placed makes the
  // dispatch and combine buffers of the busiest rank busiest_receive_factor
  // times the mean; with 32 redundant copies packed by EPLB they are nearly even.
  auto exchange = [](const ParallelPlan& plan, double skew) {
    return ops_time(deepseek_prefill(plan, skew), "moe_dispatch", "moe_combine");
  };
  const double uniform = exchange(wide(8, false, 0), 0);
  const double skewed = exchange(wide(8, false, 0), 1.0);
  const double copied = exchange(wide(8, true, 32), 1.0);
  const double z = expected_max_standard_normal(8);
  const double factor = busiest_receive_factor(place_experts(256, 8, 8, 1.0, false, 0), z);
  EXPECT_GT(factor, 1.1);
  // Bandwidth-bound at these sizes: the time grows by about the factor.
  EXPECT_NEAR(skewed / uniform, factor, 0.05 * factor);
  EXPECT_LT(copied, skewed);
  EXPECT_GE(copied, uniform);
}

TEST(ExpertPlacement, SkewIsCheckedAndMoreSkewIsNeverFasterInPrefill) {
  const ChipSpec chip = load_chip("h100-sxm");
  const ModelSpec m = load_model("mixtral-8x7b");
  const Precision p = load_precision("fp8");
  ParallelPlan plan{8, 1, 8, 1, true};
  EXPECT_THROW(StepModel(chip, m, p, options(plan, -0.5)), UserError);
  EXPECT_THROW(StepModel(chip, m, p, options(plan, 3.5)), UserError);
  Batch b;
  b.prefill.push_back({16, 1024, 1024});
  double previous = 0;
  for (double skew : {0.0, 0.25, 0.5, 1.0, 2.0, 3.0}) {
    StepModel step(chip, m, p, options(plan, skew));
    const double t = experts_time(step.evaluate(b));
    EXPECT_GE(t, previous) << skew;
    previous = t;
  }
}

}  // namespace
}  // namespace cw
