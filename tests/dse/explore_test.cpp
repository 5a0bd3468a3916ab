// Design-space exploration: per-design results, constraints, the Pareto
// front and determinism.
#include "dse/explore.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "../support/user_error.hpp"
#include "dse/chip_variant.hpp"
#include "hardware/chip_loader.hpp"
#include "serving/capacity.hpp"

namespace cw {
namespace {

DesignSpace space(const std::string& name, const std::string& body) {
  const std::string path = testing::TempDir() + name;
  std::ofstream(path) << "base: sf2-inference\n" << body;
  return load_design_space(path);
}

DesignResult point(double dollars, double joules, bool feasible = true) {
  static int next = 0;
  DesignResult d;
  d.values = {next++};
  d.dollars_per_mtok = dollars;
  d.joules_per_token = joules;
  d.feasible = feasible;
  return d;
}

TEST(ParetoFront, KeepsExactlyTheNonDominatedFeasibleDesigns) {
  // 0 (1, 1) and 1 (2, 0.5) trade off; 2 (2, 2) is dominated by both; 3 is
  // better than all but infeasible; 4 equals 0 (neither dominates the other).
  const std::vector<DesignResult> d = {point(1, 1), point(2, 0.5), point(2, 2),
                                       point(0.1, 0.1, false), point(1, 1)};
  EXPECT_EQ(pareto_front(d, {Metric::dollars_per_mtok, Metric::joules_per_token}),
            (std::vector<int64_t>{0, 4, 1}));
  EXPECT_EQ(pareto_front(d, {Metric::joules_per_token}), (std::vector<int64_t>{1}));
  // The same design drawn twice by a random sampler appears once.
  std::vector<DesignResult> twice = d;
  twice[4].values = twice[0].values;
  EXPECT_EQ(pareto_front(twice, {Metric::dollars_per_mtok, Metric::joules_per_token}),
            (std::vector<int64_t>{0, 1}));
  // A maximised metric: more tokens per chip is better.
  std::vector<DesignResult> t = d;
  t[0].tokens_per_s_per_chip = 10;
  t[1].tokens_per_s_per_chip = 30;
  t[2].tokens_per_s_per_chip = 20;
  EXPECT_EQ(pareto_front(t, {Metric::tokens_per_s_per_chip}), (std::vector<int64_t>{1}));
  // (tokens, $): 1 (30, 2) dominates 2 (20, 2); 0 (10, 1) dominates 4 (0, 1).
  EXPECT_EQ(pareto_front(t, {Metric::tokens_per_s_per_chip, Metric::dollars_per_mtok}),
            (std::vector<int64_t>{1, 0}));
}

TEST(Explore, BaseDesignRunsAsTheBaseChip) {
  const DesignSpace s =
      space("base.yaml",
            "workload: {model: llama3.1-8b, batch: 16, input: 512, output: 64, tp: 1}\n"
            "knobs: {cores: [96]}\n");
  const DesignResult r = evaluate_design(s, 0);
  ASSERT_TRUE(r.feasible) << r.why;
  const FixedBatchResult run =
      run_fixed_workload(s.base_chip, s.workloads[0].model, s.workloads[0].precision,
                         ParallelPlan{1}, s.workloads[0].run);
  EXPECT_DOUBLE_EQ(r.tpot, run.tpot);
  EXPECT_DOUBLE_EQ(r.ttft, run.ttft);
  EXPECT_DOUBLE_EQ(r.tokens_per_s_per_chip, run.output_tokens_per_s);
  EXPECT_EQ(r.dies, 2);  // the preset's two chiplets
  EXPECT_GT(r.dollars_per_mtok, 0);
  EXPECT_GT(r.joules_per_token, 0);
}

// `serve` of Llama-3.1-8B on one H100 over the MLPerf llama2-70b dataset.
ServeOptions h100_llama8b(double rate, int64_t requests, int64_t max_batch) {
  ServeOptions o;
  o.chip = "h100-sxm";
  o.model = "llama3.1-8b";
  o.dataset = "mlperf-llama2-70b";
  o.arrivals = {ArrivalKind::poisson, rate};
  o.requests = requests;
  o.engine.max_batch = max_batch;
  return o;
}

TEST(Explore, ServingWorkloadIsTheServeCommandsRun) {
  // A reference chip runs a serving workload exactly as `chipwright serve`
  // runs one replica of the same tp on the same requests: p99 TTFT and TPOT,
  // tokens/s per chip, J/token and $/Mtok.
  const DesignSpace s = space("serve.yaml",
                              "workload:\n  model: llama3.1-8b\n  serving: {dataset: "
                              "mlperf-llama2-70b, rate: 8, requests: 120, max_batch: 64}\n"
                              "knobs: {cores: [96]}\nreference: [h100-sxm]\n");
  const DesignResult r = evaluate_reference(s, 0);
  ASSERT_TRUE(r.feasible) << r.why;
  ASSERT_EQ(r.tp, 1);
  const ServeResult served = run_serve(h100_llama8b(8, 120, 64));
  EXPECT_DOUBLE_EQ(r.ttft, served.metrics.ttft.p99);
  EXPECT_DOUBLE_EQ(r.tpot, served.metrics.tpot.p99);
  EXPECT_DOUBLE_EQ(r.tokens_per_s_per_chip, served.metrics.output_tokens_per_s);
  EXPECT_DOUBLE_EQ(r.joules_per_token, served.economics.joules_per_token);
  EXPECT_DOUBLE_EQ(r.dollars_per_mtok, served.economics.dollars_per_mtok);
  // The design itself ran the same requests: at 8 requests/s both keep up,
  // so each delivers about the offered load (less the drain of the last
  // requests, which the makespan includes).
  const DesignResult d = evaluate_design(s, 0);
  ASSERT_TRUE(d.feasible) << d.why;
  const double offered = 8.0 * static_cast<double>(s.workloads[0].run.output);
  for (double delivered : {r.tokens_per_s_per_chip, d.tokens_per_s_per_chip}) {
    EXPECT_LE(delivered, offered * 1.1);
    EXPECT_GE(delivered, offered * 0.75);
  }
}

TEST(Explore, SpeculativeWorkloadsRunAsEvalAndServeRunThem) {
  // A fixed batch with a draft model is run_fixed_workload with that
  // speculation (its drafter's memory counted), and a serving workload with
  // a draft head is `serve --speculative` of the same deployment.
  const DesignSpace s =
      space("speculative.yaml",
            "workloads:\n"
            "  - {name: fixed, model: llama3.1-70b, batch: 4, input: 512, output: 64, tp: 2,\n"
            "     speculative: {draft_tokens: 4, acceptance: 0.7, draft: llama3.2-1b}}\n"
            "  - name: served\n    model: llama3.1-8b\n"
            "    serving: {dataset: mlperf-llama2-70b, rate: 2, requests: 60, max_batch: 32}\n"
            "    speculative: {draft_tokens: 2, acceptance: 0.8}\n"
            "knobs: {cores: [96]}\nreference: [h100-sxm]\n");
  const WorkloadSpec& fixed = s.workloads[0];
  ASSERT_TRUE(fixed.run.speculation.enabled());
  EXPECT_EQ(fixed.run.speculation.draft_model->id, "llama3.2-1b");
  EXPECT_EQ(s.workloads[1].run.speculation.draft_model, nullptr);  // a draft head
  const DesignResult r = evaluate_reference(s, 0);
  ASSERT_TRUE(r.feasible) << r.why;
  const FixedBatchResult run = run_fixed_workload(load_chip("h100-sxm"), fixed.model,
                                                  fixed.precision, ParallelPlan{2}, fixed.run);
  ServeOptions o = h100_llama8b(2, 60, 32);
  o.speculative = 2;
  o.acceptance = 0.8;
  const ServeResult served = run_serve(o);
  // The mix reports the worst TPOT of its workloads.
  EXPECT_DOUBLE_EQ(r.tpot, std::max(run.tpot, served.metrics.tpot.p99));
  FixedWorkload plain = fixed.run;
  plain.speculation = {};
  EXPECT_LT(run.tpot, run_fixed_workload(load_chip("h100-sxm"), fixed.model, fixed.precision,
                                         ParallelPlan{2}, plain)
                          .tpot);
}

TEST(Explore, TheDraftTokensKnobSetsEachWorkloadsSpeculation) {
  // draft_tokens: 0 runs without speculation, 3 as the workload's k = 3.
  const std::string workload =
      "workload: {model: llama3.1-70b, batch: 4, input: 512, output: 64, tp: 2, "
      "speculative: {draft_tokens: 1, acceptance: 0.8}}\n";
  const DesignSpace s =
      space("draft-knob.yaml", workload + "knobs: {cores: [96], draft_tokens: [0, 3]}\n");
  ASSERT_EQ(s.design_count(), 2);
  const WorkloadSpec& ws = s.workloads[0];
  const ChipSpec chip = chip_variant(s, s.assignment(0));
  FixedWorkload off = ws.run, three = ws.run;
  off.speculation = {};
  three.speculation.draft_tokens = 3;
  const DesignResult d0 = evaluate_design(s, 0), d3 = evaluate_design(s, 1);
  ASSERT_TRUE(d0.feasible) << d0.why;
  ASSERT_TRUE(d3.feasible) << d3.why;
  EXPECT_DOUBLE_EQ(d0.tpot,
                   run_fixed_workload(chip, ws.model, ws.precision, ParallelPlan{2}, off).tpot);
  EXPECT_DOUBLE_EQ(d3.tpot,
                   run_fixed_workload(chip, ws.model, ws.precision, ParallelPlan{2}, three).tpot);
  EXPECT_LT(d3.tpot, d0.tpot);
  // A workload without speculative: has no acceptance for the knob to use.
  const std::string e = test::error_of([] {
    space("draft-knob-bad.yaml",
          "workload: {model: llama3.1-8b}\nknobs: {cores: [96], draft_tokens: [1, 2]}\n");
  });
  EXPECT_TRUE(test::has(e, "workload 'llama3.1-8b' has none")) << e;
  EXPECT_TRUE(test::has(e, "speculative: {draft_tokens: 1, acceptance: 0.8}")) << e;
  EXPECT_TRUE(test::has(test::error_of([&] {
                          space("draft-knob-range.yaml",
                                workload + "knobs: {draft_tokens: [17]}\n");
                        }),
                        "0 (no speculation) to 16"));
}

TEST(Explore, ServingAtCapacityIsTheServeCapacitySearch) {
  // rate: capacity runs each design at `serve --capacity`'s rate for the
  // space's max_ttft/max_tpot: the reference chip's result is that search's.
  const DesignSpace s = space("capacity.yaml",
                              "workload:\n  model: llama3.1-8b\n  serving: {dataset: "
                              "mlperf-llama2-70b, rate: capacity, requests: 300, seed: 5}\n"
                              "knobs: {cores: [96]}\nreference: [h100-sxm]\n"
                              "constraints: {max_ttft: \"200 ms\", max_tpot: \"20 ms\"}\n");
  const DesignResult r = evaluate_reference(s, 0);
  ASSERT_TRUE(r.feasible) << r.why;
  ServeOptions o = h100_llama8b(1, 300, ServeOptions{}.engine.max_batch);
  o.seed = 5;
  o.slo = Slo{0.2, 0.02};
  const CapacityResult c = find_capacity(o);
  ASSERT_TRUE(c.found);
  EXPECT_DOUBLE_EQ(r.tokens_per_s_per_chip, c.run.metrics.output_tokens_per_s);
  EXPECT_DOUBLE_EQ(r.ttft, c.run.metrics.ttft.p99);
  EXPECT_DOUBLE_EQ(r.dollars_per_mtok, c.run.economics.dollars_per_mtok);
  // A bound no rate meets makes the design infeasible, naming that bound.
  const DesignSpace tight = space("capacity-tight.yaml",
                                  "workload:\n  model: llama3.1-8b\n  serving: {dataset: "
                                  "mlperf-llama2-70b, rate: capacity, requests: 100}\n"
                                  "knobs: {cores: [96]}\nconstraints: {max_ttft: \"1 ms\"}\n");
  const DesignResult d = evaluate_design(tight, 0);
  EXPECT_FALSE(d.feasible);
  EXPECT_EQ(d.reason, "max_ttft");
  EXPECT_NE(d.why.find("no rate meets the objectives"), std::string::npos) << d.why;
}

TEST(Explore, AnOverloadedServingDesignBreaksItsTtftObjective) {
  // 70B on one small design at 40 requests/s: the queue grows, p99 TTFT runs
  // to seconds and the design is infeasible; more cores and stacks keep up.
  const DesignSpace s = space("overload.yaml",
                              "workload:\n  model: llama3.1-70b\n  tp: 1\n  serving: {dataset: "
                              "mlperf-llama2-70b, rate: 40, requests: 400}\n"
                              "knobs: {cores: [32, 160], hbm_stacks: [4, 8]}\n"
                              "constraints: {max_ttft: \"1 s\"}\n");
  const DesignResult small = evaluate_design(s, 0), big = evaluate_design(s, 3);
  EXPECT_FALSE(small.feasible);
  EXPECT_EQ(small.reason, "max_ttft");
  EXPECT_GT(small.ttft, 1.0);
  ASSERT_TRUE(big.feasible) << big.why;
  EXPECT_LT(big.ttft, small.ttft);
  EXPECT_GT(big.tokens_per_s_per_chip, small.tokens_per_s_per_chip);
}

TEST(Explore, AMixIsJudgedOnTokenSharesAndItsWorstLatency) {
  const std::string mix =
      "workloads:\n"
      "  - {name: big, model: llama3.1-70b, batch: 32, input: 1024, output: 128, weight: 3}\n"
      "  - {name: small, model: llama3.1-8b, batch: 64, input: 512, output: 256, weight: 1}\n"
      "knobs: {cores: [96]}\n";
  const DesignResult r = evaluate_design(space("mix.yaml", mix), 0);
  ASSERT_TRUE(r.feasible) << r.why;
  ASSERT_EQ(r.workloads.size(), 2u);
  // Each workload runs as it would alone.
  const DesignResult big =
      evaluate_design(space("big.yaml",
                            "workload: {model: llama3.1-70b, batch: 32, input: 1024, output: 128}\n"
                            "knobs: {cores: [96]}\n"),
                      0);
  const DesignResult small =
      evaluate_design(space("small.yaml",
                            "workload: {model: llama3.1-8b, batch: 64, input: 512, output: 256}\n"
                            "knobs: {cores: [96]}\n"),
                      0);
  EXPECT_DOUBLE_EQ(r.workloads[0].tpot, big.tpot);
  EXPECT_DOUBLE_EQ(r.workloads[1].dollars_per_mtok, small.dollars_per_mtok);
  EXPECT_EQ(r.workloads[0].tp, big.tp);
  // The mix: 3/4 and 1/4 of the tokens.
  EXPECT_NEAR(r.dollars_per_mtok, 0.75 * big.dollars_per_mtok + 0.25 * small.dollars_per_mtok,
              1e-12 * r.dollars_per_mtok);
  EXPECT_NEAR(r.joules_per_token, 0.75 * big.joules_per_token + 0.25 * small.joules_per_token,
              1e-12 * r.joules_per_token);
  EXPECT_NEAR(1 / r.tokens_per_s_per_chip,
              0.75 / big.tokens_per_s_per_chip + 0.25 / small.tokens_per_s_per_chip,
              1e-12 / r.tokens_per_s_per_chip);
  EXPECT_DOUBLE_EQ(r.tpot, std::max(big.tpot, small.tpot));
  EXPECT_DOUBLE_EQ(r.ttft, std::max(big.ttft, small.ttft));
  EXPECT_EQ(r.tp, std::max(big.tp, small.tp));
}

TEST(Explore, SramChipsGetTheFewestPipelineStagesThatHoldTheModel) {
  const std::string path = testing::TempDir() + "groq.yaml";
  std::ofstream(path) << "base: groq-lpu\n"
                         "workload: {model: llama3.1-8b, precision: fp16, batch: 8, input: 512, "
                         "output: 128, max_pp: 256}\n"
                         "knobs: {node: [tsmc-n7]}\n";
  const DesignSpace s = load_design_space(path);
  const DesignResult r = evaluate_design(s, 0);
  ASSERT_TRUE(r.feasible) << r.why;
  // 16 GB of fp16 weights in 230 MB chips: tp stops at 8 (max_tp), so stages carry the rest.
  EXPECT_EQ(r.tp, 8);
  EXPECT_GT(r.pp, 1);
  EXPECT_EQ(r.chips, r.tp * r.pp);
  const ChipSpec chip = chip_variant(s, {0});
  const WorkloadSpec& w = s.workloads[0];
  EXPECT_TRUE(
      fixed_workload_budget(chip, w.model, w.precision, ParallelPlan{r.tp, r.pp}, w.run).fits());
  EXPECT_FALSE(
      fixed_workload_budget(chip, w.model, w.precision, ParallelPlan{r.tp, r.pp / 2}, w.run)
          .fits());
  // Without stages it cannot fit, and says so.
  std::ofstream(path) << "base: groq-lpu\n"
                         "workload: {model: llama3.1-8b, precision: fp16, batch: 8, input: 512, "
                         "output: 128}\n"
                         "knobs: {node: [tsmc-n7]}\n";
  const DesignResult none = evaluate_design(load_design_space(path), 0);
  EXPECT_EQ(none.reason, "memory");
}

TEST(Explore, MoreBandwidthOrComputeIsNeverSlower) {
  const DesignSpace s =
      space("mono.yaml",
            "workload: {model: llama3.1-8b, batch: 32, input: 1024, output: 128}\n"
            "knobs:\n  cores: [48, 96, 144]\n  hbm_stacks: [2, 4, 6, 8]\n");
  const ExploreResult r = explore(s, ExploreOptions{2});
  ASSERT_EQ(r.designs.size(), 12u);
  for (int c = 0; c < 3; ++c) {
    for (int h = 0; h < 4; ++h) {
      const DesignResult& d = r.designs[static_cast<size_t>(c * 4 + h)];
      ASSERT_TRUE(d.feasible) << d.why;
      if (h > 0) {
        const DesignResult& less_bw = r.designs[static_cast<size_t>(c * 4 + h - 1)];
        EXPECT_LE(d.tpot, less_bw.tpot) << c << " " << h;
        EXPECT_LE(d.ttft, less_bw.ttft) << c << " " << h;
      }
      if (c > 0) {
        const DesignResult& fewer = r.designs[static_cast<size_t>((c - 1) * 4 + h)];
        EXPECT_LE(d.ttft, fewer.ttft) << c << " " << h;
        EXPECT_LE(d.tpot, fewer.tpot) << c << " " << h;
        EXPECT_GT(d.area_mm2, fewer.area_mm2);
      }
    }
  }
}

TEST(Explore, ConstraintsMarkDesignsInfeasibleWithTheirReason) {
  const DesignSpace s =
      space("limits.yaml",
            "workload: {model: llama3.1-70b, batch: 64, input: 1024, output: 128, max_tp: 2}\n"
            "knobs:\n  cores: [48, 96, 160]\n  hbm_stacks: [1, 2, 8]\n"
            "constraints: {max_tpot: \"25 ms\", max_power: \"1300 W\"}\n");
  const ExploreResult r = explore(s, ExploreOptions{1});
  int64_t feasible = 0;
  std::set<std::string> reasons;
  for (const DesignResult& d : r.designs) {
    feasible += d.feasible;
    if (d.feasible) {
      EXPECT_LE(d.tpot, 0.025);
      EXPECT_LE(d.power_w, 1300);
      EXPECT_TRUE(d.why.empty());
    } else {
      EXPECT_FALSE(d.why.empty());
      reasons.insert(d.reason);
      if (d.reason == "max_tpot") {
        EXPECT_GT(d.tpot, 0.025);
      }
      if (d.reason == "max_power") {
        EXPECT_GT(d.power_w, 1300);
      }
    }
  }
  EXPECT_EQ(feasible, r.feasible);
  // One stack per chip (36 GB x max_tp 2) cannot hold 70B at fp8 with its
  // cache; eight stacks draw more than 1300 W; two stacks meet both limits.
  EXPECT_EQ(feasible, 3);
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(r.designs[static_cast<size_t>(3 * c)].reason, "memory");
    EXPECT_TRUE(r.designs[static_cast<size_t>(3 * c + 1)].feasible);
    EXPECT_EQ(r.designs[static_cast<size_t>(3 * c + 2)].reason, "max_power");
  }
  EXPECT_EQ(reasons, (std::set<std::string>{"memory", "max_power"}));
  for (int64_t i : r.pareto) EXPECT_TRUE(r.designs[static_cast<size_t>(i)].feasible);
}

TEST(Explore, ResultsDoNotDependOnTheThreadCount) {
  const DesignSpace s = space("threads.yaml",
                              "workload: {model: llama3.1-8b, batch: 8, input: 256, output: 32}\n"
                              "knobs:\n  clock: [\"1 GHz\", \"2 GHz\"]\n  batch: [4, 16, 64]\n"
                              "search: {sampler: random, samples: 9, seed: 3}\n");
  const ExploreResult one = explore(s, ExploreOptions{1});
  const ExploreResult three = explore(s, ExploreOptions{3});
  ASSERT_EQ(one.designs.size(), three.designs.size());
  for (size_t i = 0; i < one.designs.size(); ++i) {
    EXPECT_EQ(one.designs[i].values, three.designs[i].values);
    EXPECT_EQ(one.designs[i].tpot, three.designs[i].tpot);
    EXPECT_EQ(one.designs[i].dollars_per_mtok, three.designs[i].dollars_per_mtok);
  }
  EXPECT_EQ(one.pareto, three.pareto);
}

TEST(Explore, RefiningARandomSampleFindsTheGridsFront) {
  const std::string knobs =
      "workload: {model: llama3.1-8b, batch: 8, input: 512, output: 64}\n"
      "knobs:\n  cores: [32, 48, 64, 96, 128, 160]\n"
      "  hbm_stacks: [2, 3, 4, 5, 6, 8]\n  batch: [4, 8, 16, 32, 64, 128]\n"
      "objectives: [dollars_per_mtok, tpot]\n";
  const DesignSpace grid = space("grid.yaml", knobs);
  const DesignSpace sample =
      space("sample.yaml", knobs + "search: {sampler: random, samples: 20, seed: 2, refine: 50}\n");
  const ExploreResult all = explore(grid, ExploreOptions{2});
  const ExploreResult walked = explore(sample, ExploreOptions{2});
  ASSERT_EQ(all.designs.size(), 216u);
  EXPECT_GT(walked.refined, 0);
  EXPECT_LT(walked.designs.size(), all.designs.size());
  std::set<std::vector<int>> want, got;
  for (int64_t i : all.pareto) want.insert(all.designs[static_cast<size_t>(i)].values);
  for (int64_t i : walked.pareto) got.insert(walked.designs[static_cast<size_t>(i)].values);
  // Every design the walk keeps is on the grid's front, and it finds all but
  // one of them: 32 cores at batch 4, whose neighbours (48 cores, batch 8)
  // are dominated, so no walk from the front reaches it (a local search).
  EXPECT_EQ(want.size(), 15u);
  EXPECT_EQ(got.size(), 14u);
  for (const auto& v : got) EXPECT_TRUE(want.count(v)) << v[0] << " " << v[1] << " " << v[2];
  EXPECT_FALSE(got.count({0, 5, 0}));
  // Refined designs are numbered after the sample, in order.
  for (size_t i = 0; i < walked.designs.size(); ++i)
    EXPECT_EQ(walked.designs[i].index, static_cast<int64_t>(i));
}

}  // namespace
}  // namespace cw
