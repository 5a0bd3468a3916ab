// Loading design spaces: knobs, samplers and the errors a bad file gets.
#include "dse/design_space.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>

#include "../support/user_error.hpp"

namespace cw {
namespace {

using test::error_of;
using test::has;

std::string write_space(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

const char* kHeader = R"(base: sf2-inference
workload: {model: llama3.1-8b, batch: 8, input: 128, output: 32}
)";

TEST(DesignSpace, ShippedSweepLoads) {
  const DesignSpace s = load_design_space("sf2-sweep");
  EXPECT_EQ(s.base_chip.id, "sf2-inference");
  ASSERT_EQ(s.knobs.size(), 5u);
  EXPECT_EQ(s.knobs[0].name, "cores");
  EXPECT_EQ(s.knobs[1].kind, KnobKind::clock);
  EXPECT_DOUBLE_EQ(s.knobs[1].values[1].number, 1.5e9);
  EXPECT_EQ(s.knobs[1].values[1].label, "1.5 GHz");
  EXPECT_EQ(s.knobs[3].kind, KnobKind::level_capacity);
  EXPECT_EQ(s.knobs[3].level, "global_buffer");
  EXPECT_DOUBLE_EQ(s.knobs[3].values[0].number, 128.0 * (1 << 20));
  EXPECT_EQ(s.design_count(), 4 * 3 * 3 * 2 * 4);
  EXPECT_DOUBLE_EQ(s.constraints.max_tpot, 0.025);
  EXPECT_DOUBLE_EQ(s.constraints.max_power, 1200);
  EXPECT_EQ(s.constraints.max_dies, 2);
  ASSERT_EQ(s.workloads.size(), 1u);
  EXPECT_EQ(s.workloads[0].name, "llama3.1-70b");
  EXPECT_EQ(s.workloads[0].tp, 0);  // auto
  EXPECT_EQ(s.workloads[0].weight, 1);
  ASSERT_EQ(s.objectives.size(), 2u);
  EXPECT_EQ(s.objectives[0], Metric::dollars_per_mtok);
}

TEST(DesignSpace, WorkloadMixHasNormalisedShares) {
  const DesignSpace s = load_design_space("sf2-mix");
  ASSERT_EQ(s.workloads.size(), 3u);
  EXPECT_EQ(s.workloads[0].name, "chat-70b");
  EXPECT_EQ(s.workloads[1].model.id, "llama3.1-8b");
  EXPECT_EQ(s.workloads[2].run.input, 4096);
  EXPECT_NEAR(s.workloads[0].weight, 0.6, 1e-12);
  EXPECT_NEAR(s.workloads[1].weight, 0.3, 1e-12);
  EXPECT_NEAR(s.workloads[2].weight, 0.1, 1e-12);
  // Weights are relative: 6, 3, 1 is the same mix.
  const std::string path = write_space("mix.yaml", R"(base: sf2-inference
workloads:
  - {model: llama3.1-8b, weight: 6}
  - {model: llama2-7b, weight: 3}
  - {name: long, model: llama3.1-8b, input: 8192, weight: 1}
knobs: {cores: [64]}
)");
  const DesignSpace m = load_design_space(path);
  EXPECT_EQ(m.workloads[0].name, "llama3.1-8b");
  EXPECT_NEAR(m.workloads[0].weight, 0.6, 1e-12);
  EXPECT_NEAR(m.workloads[2].weight, 0.1, 1e-12);
}

TEST(DesignSpace, GridAssignmentIsMixedRadixLastKnobFastest) {
  const DesignSpace s = load_design_space("sf2-sweep");  // sizes 4, 3, 3, 2, 4
  EXPECT_EQ(s.assignment(0), (std::vector<int>{0, 0, 0, 0, 0}));
  EXPECT_EQ(s.assignment(1), (std::vector<int>{0, 0, 0, 0, 1}));
  EXPECT_EQ(s.assignment(4), (std::vector<int>{0, 0, 0, 1, 0}));
  // 202 = ((((2·3 + 2)·3 + 1)·2 + 0)·4 + 2
  EXPECT_EQ(s.assignment(202), (std::vector<int>{2, 2, 1, 0, 2}));
  EXPECT_EQ(s.assignment(287), (std::vector<int>{3, 2, 2, 1, 3}));
  std::set<std::vector<int>> all;
  for (int64_t i = 0; i < s.design_count(); ++i) all.insert(s.assignment(i));
  EXPECT_EQ(static_cast<int64_t>(all.size()), s.design_count());
}

TEST(DesignSpace, RandomSamplerIsSeededAndInRange) {
  const std::string path = write_space("random.yaml", std::string(kHeader) + R"(knobs:
  cores: [32, 64, 96, 128, 160]
  clock: ["1 GHz", "1.5 GHz", "2 GHz"]
search: {sampler: random, samples: 50, seed: 7}
)");
  const DesignSpace a = load_design_space(path);
  EXPECT_EQ(a.design_count(), 50);
  DesignSpace b = a;
  b.seed = 8;
  int differ = 0;
  std::set<int> cores_seen;
  for (int64_t i = 0; i < 50; ++i) {
    const auto x = a.assignment(i);
    EXPECT_EQ(x, a.assignment(i));  // a design depends on seed and index only
    ASSERT_GE(x[0], 0);
    ASSERT_LT(x[0], 5);
    ASSERT_GE(x[1], 0);
    ASSERT_LT(x[1], 3);
    cores_seen.insert(x[0]);
    if (x != b.assignment(i)) ++differ;
  }
  EXPECT_EQ(cores_seen.size(), 5u);  // 50 draws of 5 values reach every one
  EXPECT_GT(differ, 25);
}

TEST(DesignSpace, ServingWorkloadHoldsItsRequests) {
  auto with_seed = [](int seed) {
    return load_design_space(
        write_space("serving" + std::to_string(seed) + ".yaml",
                    "base: sf2-inference\nworkload:\n  model: llama3.1-8b\n  serving: {dataset: "
                    "mlperf-llama2-70b, rate: 4, requests: 50, max_batch: 32, seed: " +
                        std::to_string(seed) + "}\nknobs: {cores: [64]}\n"));
  };
  const DesignSpace s = with_seed(7);
  const WorkloadSpec& w = s.workloads[0];
  ASSERT_NE(w.serving, nullptr);
  EXPECT_EQ(w.serving->source, "mlperf-llama2-70b");
  const auto& q = w.serving->requests.requests;
  ASSERT_EQ(q.size(), 50u);
  EXPECT_EQ(w.serving->requests.arrivals, "poisson 4/s");
  EXPECT_EQ(w.run.batch, 32);  // the engine's request limit
  // run.input/output: the requests' mean lengths (they size the deployment).
  double input = 0;
  for (const Request& r : q) input += static_cast<double>(r.input);
  EXPECT_EQ(w.run.input, std::llround(input / 50));
  // Arrivals are seeded: the same file gives the same times, another seed others.
  const DesignSpace again = with_seed(8);
  EXPECT_NE(again.workloads[0].serving->requests.requests[10].arrival, q[10].arrival);
  EXPECT_EQ(again.workloads[0].serving->requests.requests[10].input, q[10].input);
  // Without a rate, every request arrives at once (offline).
  const DesignSpace offline = load_design_space(write_space("offline.yaml", R"(base: sf2-inference
workload: {model: llama3.1-8b, serving: {dataset: mlperf-llama2-70b, requests: 20}}
knobs: {cores: [64]}
)"));
  EXPECT_EQ(offline.workloads[0].serving->requests.arrivals, "offline");
  EXPECT_EQ(offline.workloads[0].serving->requests.requests.back().arrival, 0);
}

TEST(DesignSpace, BadFilesNameTheKeyAndSuggestAFix) {
  auto load = [](const std::string& name, const std::string& body) {
    return error_of([&] { load_design_space(write_space(name, body)); });
  };
  std::string e = load("typo.yaml", std::string(kHeader) + "knobs:\n  coers: [64]\n");
  EXPECT_TRUE(has(e, "typo.yaml:4")) << e;
  EXPECT_TRUE(has(e, "unknown knob 'coers'")) << e;
  EXPECT_TRUE(has(e, "cores")) << e;

  e = load("level.yaml", std::string(kHeader) + "knobs:\n  memory.l2.capacity: [\"1 MiB\"]\n");
  EXPECT_TRUE(has(e, "unknown knob 'memory.l2.capacity'")) << e;

  e = load("key.yaml", std::string(kHeader) + "knobs: {cores: [64]}\nobjective: [area]\n");
  EXPECT_TRUE(has(e, "objective")) << e;
  EXPECT_TRUE(has(e, "objectives")) << e;

  e = load("unit.yaml", std::string(kHeader) + "knobs: {clock: [\"1.5 GB\"]}\n");
  EXPECT_TRUE(has(e, "clock")) << e;

  e = load("empty.yaml", std::string(kHeader) + "knobs: {cores: []}\n");
  EXPECT_TRUE(has(e, "no values")) << e;

  e = load("nohbm.yaml",
           "base: groq-lpu\nworkload: {model: llama3.1-8b}\nknobs: {hbm_stacks: [4]}\n");
  EXPECT_TRUE(has(e, "needs a base chip whose main memory is HBM")) << e;

  const std::string serving_head = "base: sf2-inference\nworkload:\n  model: llama3.1-8b\n";
  e = load("serving-both.yaml",
           serving_head +
               "  serving: {dataset: mlperf-llama2-70b, trace: t.csv}\nknobs: {cores: "
               "[64]}\n");
  EXPECT_TRUE(has(e, "serving-both.yaml:4")) << e;
  EXPECT_TRUE(has(e, "needs exactly one of dataset or trace")) << e;
  e = load("serving-batch.yaml", serving_head +
                                     "  batch: 8\n  serving: {dataset: mlperf-llama2-70b}\nknobs: "
                                     "{cores: [64]}\n");
  EXPECT_TRUE(has(e, "serving-batch.yaml:4")) << e;
  EXPECT_TRUE(has(e, "set serving.max_batch")) << e;
  e = load("serving-dataset.yaml",
           serving_head + "  serving: {dataset: mlperf-llama2-7b}\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "serving-dataset.yaml:4")) << e;
  EXPECT_TRUE(has(e, "mlperf-llama2-7b")) << e;
  e = load(
      "serving-rate.yaml",
      serving_head + "  serving: {dataset: mlperf-llama2-70b, rate: 0}\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "serving.rate")) << e;
  e = load(
      "serving-key.yaml",
      serving_head + "  serving: {dataset: mlperf-llama2-70b, qps: 3}\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "qps")) << e;
  const std::string spec_head =
      "base: sf2-inference\nworkload:\n  model: llama3.1-8b\n  speculative: ";
  e = load("spec-acceptance.yaml",
           spec_head + "{draft_tokens: 3, acceptance: 1.5}\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "spec-acceptance.yaml:4")) << e;
  EXPECT_TRUE(has(e, "acceptance")) << e;
  e = load(
      "spec-vocab.yaml",
      spec_head + "{draft_tokens: 3, acceptance: 0.8, draft: llama2-7b}\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "spec-vocab.yaml:4")) << e;
  EXPECT_TRUE(has(e, "vocabulary")) << e;
  e = load("spec-missing.yaml", spec_head + "{draft_tokens: 3}\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "acceptance")) << e;
  e = load("spec-key.yaml",
           spec_head + "{draft_tokens: 3, acceptance: 0.8, k: 2}\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "speculative.k': unknown key")) << e;
  e = load("serving-trace.yaml",
           serving_head + "  serving: {trace: /no/such/trace.csv}\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "serving-trace.yaml:4")) << e;
  EXPECT_TRUE(has(e, "/no/such/trace.csv")) << e;

  e = load("hbm5.yaml", std::string(kHeader) + "knobs: {hbm_type: [HBM5]}\n");
  EXPECT_TRUE(has(e, "unknown HBM type 'HBM5'")) << e;
  EXPECT_TRUE(has(e, "did you mean")) << e;

  e = load("node.yaml", std::string(kHeader) + "knobs: {node: [tsmc-n1]}\n");
  EXPECT_TRUE(has(e, "tsmc-n1")) << e;

  e = load("metric.yaml", std::string(kHeader) + "knobs: {cores: [64]}\nobjectives: [dollars]\n");
  EXPECT_TRUE(has(e, "unknown objective 'dollars'")) << e;

  std::string sixty;  // 60 values: four such knobs make 12.96 million designs
  for (int i = 1; i <= 60; ++i) sixty += (i > 1 ? ", " : "") + std::to_string(i);
  e = load("grid.yaml", std::string(kHeader) + "knobs:\n  cores: [" + sixty + "]\n  links: [" +
                            sixty + "]\n  batch: [" + sixty + "]\n  tp: [" + sixty + "]\n");
  EXPECT_TRUE(has(e, "1.3e+07 designs")) << e;
  EXPECT_TRUE(has(e, "sampler: random")) << e;

  e = load("samples.yaml", std::string(kHeader) + "knobs: {cores: [64]}\nsearch: {samples: 10}\n");
  EXPECT_TRUE(has(e, "random only")) << e;
  e = load("refine.yaml", std::string(kHeader) + "knobs: {cores: [64]}\nsearch: {refine: 3}\n");
  EXPECT_TRUE(has(e, "refine applies to sampler: random or nsga2 only")) << e;
  e = load("pop.yaml", std::string(kHeader) +
                           "knobs: {cores: [64]}\nsearch: {sampler: nsga2, population: 30}\n");
  EXPECT_TRUE(has(e, "pop.yaml:4")) << e;
  EXPECT_TRUE(has(e, "population 30 is not a multiple of 4 of at least 8")) << e;
  EXPECT_TRUE(has(e, "use 32")) << e;
  e = load("gens.yaml", std::string(kHeader) +
                            "knobs: {cores: [64]}\nsearch: {sampler: random, samples: 9, "
                            "generations: 5}\n");
  EXPECT_TRUE(has(e, "generations applies to sampler: nsga2 only")) << e;
  e = load("draws.yaml", std::string(kHeader) +
                             "knobs: {cores: [64]}\nsearch: {sampler: nsga2, population: 10000, "
                             "generations: 10000}\n");
  EXPECT_TRUE(has(e, "NSGA-II would draw 10000 x 10001 designs")) << e;
  e = load("sampler.yaml",
           std::string(kHeader) + "knobs: {cores: [64]}\nsearch: {sampler: genetic}\n");
  EXPECT_TRUE(has(e, "unknown sampler 'genetic'")) << e;
  EXPECT_TRUE(has(e, "nsga2")) << e;

  e = load("zero.yaml", std::string(kHeader) + "knobs: {cores: [0]}\n");
  EXPECT_TRUE(has(e, "from 1 to")) << e;

  e = load("both.yaml",
           std::string(kHeader) + "workloads: [{model: llama3.1-8b}]\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "either workload (one) or workloads (a mix)")) << e;
  e = load("none.yaml", "base: sf2-inference\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "no workload")) << e;
  e = load("twins.yaml",
           "base: sf2-inference\nworkloads: [{model: llama3.1-8b}, {model: llama3.1-8b}]\n"
           "knobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "two workloads are named 'llama3.1-8b'")) << e;
  e = load(
      "weight.yaml",
      "base: sf2-inference\nworkloads: [{model: llama3.1-8b, weight: 0}]\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "weight.yaml:2")) << e;
  EXPECT_TRUE(has(e, "a workload's weight must be a positive share, got 0")) << e;
  e = load("mixkey.yaml", std::string(kHeader) + "knobs: {cores: [64]}\n");  // fine
  EXPECT_EQ(e, "");
  e = load(
      "wkey.yaml",
      "base: sf2-inference\nworkload: {model: llama3.1-8b, weight: 1}\nknobs: {cores: [64]}\n");
  EXPECT_TRUE(has(e, "unknown key")) << e;

  e = load("ref.yaml", std::string(kHeader) + "knobs: {cores: [64]}\nreference: [h100-sx]\n");
  EXPECT_TRUE(has(e, "ref.yaml:4")) << e;
  EXPECT_TRUE(has(e, "h100-sxm")) << e;

  e = error_of([] { load_design_space("sf2-swep"); });
  EXPECT_TRUE(has(e, "sf2-sweep")) << e;
}

}  // namespace
}  // namespace cw
