// Energy of a serving run: per-step energies cached with the step times, the
// run's joules as the sum of its iterations, and J/token, W per chip and $/Mtok
// from that sum plus static power over the whole run.
#include <gtest/gtest.h>

#include "hardware/chip_loader.hpp"
#include "serving/deployment.hpp"
#include "serving/serving_economics.hpp"
#include "serving/simulator.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

std::shared_ptr<StepModel> llama8b_on(const std::string& chip, int tp) {
  return std::make_shared<StepModel>(load_chip(chip), load_model("llama3.1-8b"),
                                     load_precision("fp8"), StepOptions{tp});
}

TEST(ServingEnergy, StepEnergyIsTheShardsDynamicEnergyTimesTp) {
  auto step = llama8b_on("h100-sxm", 2);
  const WorkloadEconomics chip = chip_economics(step->chip());
  ASSERT_TRUE(chip.available()) << chip.unavailable;
  StepCostCache cache(step, chip.sheet.energy);
  Batch mixed;
  mixed.prefill.push_back({1, 512, 512, true});
  mixed.decode.push_back({32, 1500});
  const Cost c = step->evaluate(mixed).total;
  const double want = 2 * dynamic_energy_of(c, Dtype::fp8, chip.sheet.energy);
  EXPECT_GT(c.link_bytes, 0);  // tp 2: the all-reduces' link bytes are priced
  EXPECT_DOUBLE_EQ(cache(mixed).joules, want);
  EXPECT_DOUBLE_EQ(cache(mixed).time, c.time);
  // Decode-only steps are interpolated between cached contexts like their times.
  Batch decode;
  decode.decode.push_back({64, 1000});
  const double direct =
      2 * dynamic_energy_of(step->evaluate(decode).total, Dtype::fp8, chip.sheet.energy);
  EXPECT_NEAR(cache(decode).joules / direct, 1.0, 2.5e-3);
  // Without an energy table (a chip that cannot be costed) steps cost no joules.
  StepCostCache no_energy(step);
  EXPECT_EQ(no_energy(mixed).joules, 0);
}

TEST(ServingEnergy, RunEnergyIsTheSumOfStepEnergiesPlusStaticPower) {
  Deployment d = make_deployment(llama8b_on("h100-sxm", 1), 2, EngineConfig{});
  ASSERT_TRUE(d.silicon->available());
  // Record every step's energy as the simulator asks for it.
  double recorded = 0;
  const StepCostFn inner = d.step_cost();
  StepCostFn counting = [&](const Batch& b) {
    const StepCost c = inner(b);
    recorded += c.joules;
    return c;
  };
  std::vector<Request> reqs;
  for (int i = 0; i < 40; ++i) reqs.push_back({i, 0.05 * i, 200 + 10 * i, 50 + i, 1});
  const SimulationResult sim = simulate(reqs, d.cluster, counting);
  const ServingMetrics m = summarize(sim);
  EXPECT_GT(recorded, 0);
  EXPECT_DOUBLE_EQ(sim.joules, recorded);
  EXPECT_DOUBLE_EQ(m.dynamic_joules, recorded);
  const WorkloadEconomics e = serving_economics(d, m);
  ASSERT_TRUE(e.available()) << e.unavailable;
  const double total = recorded + e.sheet.energy.static_w * 2 * m.makespan;
  EXPECT_DOUBLE_EQ(e.joules_per_token, total / static_cast<double>(m.output_tokens));
  EXPECT_DOUBLE_EQ(e.average_power_w, total / (2 * m.makespan));
  // Static power is a floor, the TDP a ceiling.
  EXPECT_GT(e.average_power_w, e.sheet.energy.static_w);
  EXPECT_LT(e.average_power_w, d.step->chip().power.tdp);
  EXPECT_GT(e.dollars_per_mtok, 0);
}

TEST(ServingEnergy, HandComputedConstantStepsGiveTheirSum) {
  // Two requests, one replica, every iteration 10 ms and 3 J: A (prompt 4, 2
  // tokens) and B (prompt 4, 1 token) prefill together (1 iteration, 8 tokens),
  // then A decodes once: 2 iterations, 6 J, 3 output tokens.
  ClusterConfig c;
  c.engine.block_size = 4;
  c.engine.kv_blocks = 16;
  std::vector<Request> reqs = {{0, 0.0, 4, 2, 1}, {1, 0.0, 4, 1, 1}};
  const SimulationResult sim =
      simulate(reqs, c, [](const Batch&) { return StepCost{0.010, 3.0}; });
  EXPECT_EQ(sim.iterations, 2);
  EXPECT_DOUBLE_EQ(sim.joules, 6.0);
  EXPECT_DOUBLE_EQ(summarize(sim).dynamic_joules / 3, 2.0);  // J per output token
}

TEST(ServingEnergy, AChipWithoutANodeSaysWhy) {
  Deployment d = make_deployment(
      std::make_shared<StepModel>(load_chip("tpu-v5e"), load_model("llama3.1-8b"),
                                  load_precision("bf16"), StepOptions{4}),
      4, EngineConfig{});
  EXPECT_FALSE(d.silicon->available());
  ServingMetrics m;
  m.makespan = 1;
  m.output_tokens = 10;
  const WorkloadEconomics e = serving_economics(d, m);
  EXPECT_NE(e.unavailable.find("process"), std::string::npos) << e.unavailable;
}

}  // namespace
}  // namespace cw
