// MLPerf benchmarks: datasets and their output-length models
// (reference/mlperf.md §2–3), LoadGen's sample counts, the scenario runner
// and the errors for unknown or impossible requests.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <tuple>

#include "config/error.hpp"
#include "hardware/chip_loader.hpp"
#include "serving/mlperf_scenario.hpp"
#include "serving/mlperf_search.hpp"
#include "workload/hf_config_loader.hpp"
#include "workload/precision_loader.hpp"

namespace cw {
namespace {

double mean_output(const std::vector<TraceRow>& rows) {
  double s = 0;
  for (const auto& r : rows) s += static_cast<double>(r.output);
  return s / static_cast<double>(rows.size());
}

int64_t max_output(const std::vector<TraceRow>& rows) {
  int64_t m = 0;
  for (const auto& r : rows) m = std::max(m, r.output);
  return m;
}

TEST(MlperfDataset, SizesMatchTheOfficialDatasets) {
  for (const auto& b : mlperf_benchmarks()) {
    EXPECT_EQ(static_cast<int64_t>(mlperf_dataset(b).size()), b.samples) << b.id;
  }
}

TEST(MlperfDataset, OutputLengthModels) {
  // llama2-70b: GPT-4 answers rescaled to Llama-2's 294.45 tokens/sample, cap 1024.
  auto l2 = mlperf_dataset(find_benchmark("llama2-70b"));
  EXPECT_NEAR(mean_output(l2), 294.45, 0.5);
  EXPECT_LE(max_output(l2), 1024);
  // llama3.1-8b: every sample hits max_new_tokens = 128.
  auto l8 = mlperf_dataset(find_benchmark("llama3.1-8b"));
  EXPECT_DOUBLE_EQ(mean_output(l8), 128);
  // deepseek-r1: reference generations capped at 20,000 -> mean 3,886.23.
  auto r1 = mlperf_dataset(find_benchmark("deepseek-r1"));
  EXPECT_NEAR(mean_output(r1), 3886.23, 0.01);
  EXPECT_EQ(max_output(r1), 20000);
  // mixtral and 405b: the reference model's own outputs.
  EXPECT_NEAR(mean_output(mlperf_dataset(find_benchmark("mixtral-8x7b"))), 144.84, 0.01);
  EXPECT_NEAR(mean_output(mlperf_dataset(find_benchmark("llama3.1-405b"))), 684.68, 0.01);
  // gpt-j: 69 tokens/sample within min/max_new_tokens 30..128, inputs <= 1919.
  auto gj = mlperf_dataset(find_benchmark("gpt-j"));
  EXPECT_NEAR(mean_output(gj), 69, 0.5);
  for (const auto& r : gj) {
    EXPECT_GE(r.output, 30);
    EXPECT_LE(r.output, 128);
    EXPECT_LE(r.input, 1919);
  }
  EXPECT_EQ(find_benchmark("gpt-j").beam_width, 4);
}

TEST(MlperfDataset, UnknownNamesSuggestTheClosest) {
  try {
    find_benchmark("llama2-70");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("llama2-70b"), std::string::npos) << e.what();
  }
  try {
    load_dataset("mlperf-llama2-7b");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("mlperf-llama2-70b"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_scenario("sever"), UserError);
  EXPECT_EQ(parse_scenario("interactive"), MlperfScenario::interactive);
}

TEST(MlperfScenario, OfflineSampleCountFollowsLoadGen) {
  const auto& b = find_benchmark("llama2-70b");
  // max(N, 1.1 × 600 s × qps) rounded up to a multiple of N.
  EXPECT_EQ(offline_samples(b, 10), 24576);   // 6,600 < N
  EXPECT_EQ(offline_samples(b, 100), 73728);  // 66,000 -> 3 N
}

TEST(MlperfScenario, RequestsCyclePermutationsOfTheDataset) {
  std::vector<TraceRow> rows;
  for (int i = 1; i <= 50; ++i) rows.push_back({i, i, 0});
  auto reqs = mlperf_requests(rows, 120, 1, kSampleSeed);
  ASSERT_EQ(reqs.size(), 120u);
  for (int pass = 0; pass < 2; ++pass) {
    std::set<int64_t> seen;
    for (int i = 0; i < 50; ++i) seen.insert(reqs[static_cast<size_t>(pass * 50 + i)].input);
    EXPECT_EQ(seen.size(), 50u);  // each pass is a permutation
  }
  EXPECT_EQ(reqs, mlperf_requests(rows, 120, 1, kSampleSeed));
}

Deployment small_deployment(const char* model, int tp, int count) {
  auto step = std::make_shared<StepModel>(load_chip("h200-sxm"), load_model(model),
                                          load_precision("fp8"), StepOptions{tp});
  return make_deployment(step, count, EngineConfig{});
}

TEST(MlperfScenario, ServerIsValidBelowCapacityAndNotFarAbove) {
  const auto& b = find_benchmark("llama3.1-8b");
  auto rows = mlperf_dataset(b);
  Deployment d = small_deployment("llama3.1-8b", 1, 1);
  const MlperfRun off = run_offline(d, b, rows, b.samples);
  EXPECT_GT(off.tokens_per_s, 0);
  const ServerRunOptions shortrun{120, false};
  MlperfRun low = run_server(d, b, rows, *b.server, 0.5 * off.samples_per_s, shortrun);
  EXPECT_TRUE(low.valid) << low.why;
  // Tokens/s at half the capacity is about half the Offline tokens/s.
  EXPECT_NEAR(low.tokens_per_s / off.tokens_per_s, 0.5, 0.05);
  MlperfRun high = run_server(d, b, rows, *b.server, 2.0 * off.samples_per_s, shortrun);
  EXPECT_FALSE(high.valid);
  MlperfRun best = find_server_rate(d, b, rows, *b.server, off.samples_per_s, shortrun, 0.03);
  EXPECT_TRUE(best.valid);
  EXPECT_GT(best.rate, 0.5 * off.samples_per_s);
  EXPECT_LT(best.rate, 2.0 * off.samples_per_s);
}

TEST(MlperfSearch, RejectsImpossibleRequests) {
  MlperfOptions o;
  o.chip = "h100-sxm";
  o.count = 1;
  o.benchmark = "llama3.1-405b";
  try {
    run_mlperf(o);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("does not fit"), std::string::npos) << e.what();
  }
  o.benchmark = "mixtral-8x7b";
  o.count = 8;
  o.scenario = MlperfScenario::interactive;
  EXPECT_THROW(run_mlperf(o), UserError);  // Mixtral has no Interactive scenario
}

TEST(MlperfSearch, ImpossibleDeploymentsExplainThemselves) {
  auto step = std::make_shared<StepModel>(load_chip("h100-sxm"), load_model("llama2-70b"),
                                          load_precision("fp8"), StepOptions{2});
  try {
    make_deployment(step, 3, EngineConfig{});
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("--tp that divides --count"), std::string::npos);
  }
  auto one = std::make_shared<StepModel>(load_chip("h100-sxm"), load_model("llama2-70b"),
                                         load_precision("bf16"), StepOptions{1});
  EXPECT_THROW(make_deployment(one, 1, EngineConfig{}), UserError);
}

TEST(MlperfSearch, OfflineChoosesAFittingDeploymentAndReportsIt) {
  MlperfOptions o;
  o.chip = "h200-sxm";
  o.count = 2;
  o.benchmark = "llama3.1-8b";
  MlperfResult r = run_mlperf(o);
  EXPECT_EQ(r.deployment.count, 2);
  EXPECT_EQ(r.deployment.tp * r.deployment.replicas, 2);
  EXPECT_GT(r.run.tokens_per_s, 0);
  EXPECT_FALSE(r.tried.empty());
  for (const auto& p : r.tried) EXPECT_LE(p.tokens_per_s, r.run.tokens_per_s * 1.05);
  // Deterministic: the same search twice gives byte-identical JSON.
  EXPECT_EQ(to_json(r).dump(), to_json(run_mlperf(o)).dump());
}

// Offline on `count` H200s with every engine knob pinned: one dataset pass
// per replica shape the search tries.
MlperfOptions pinned_offline(int count, const char* benchmark, int64_t max_batch) {
  MlperfOptions o;
  o.chip = "h200-sxm";
  o.count = count;
  o.benchmark = benchmark;
  o.max_batch = max_batch;
  o.max_tokens = 8192;
  o.policy = SchedulePolicy::decode_first;
  return o;
}

TEST(MlperfSearch, MoeBenchmarksAlsoTryWideExpertParallelism) {
  // DeepSeek-R1 on 8 x H200: the tp shapes are 1 (does not fit), 2, 4, 8; the
  // wide-EP shapes are groups of 2, 4 and 8 (256 experts divide by each) of
  // one-chip ranks, and groups of 4 and 8 of two-chip ranks (attention TP 2).
  MlperfResult r = run_mlperf(pinned_offline(8, "deepseek-r1", 512));
  std::set<EngineKnobs::Group> shapes;
  for (const auto& p : r.tried) shapes.insert(p.knobs.group());
  for (int tp : {2, 4, 8}) EXPECT_TRUE(shapes.count({tp, true, 1, 1})) << tp;
  for (int tp : {4, 8}) EXPECT_TRUE(shapes.count({tp, true, 2, 1})) << tp;
  for (int tp : {1, 2, 4, 8}) EXPECT_TRUE(shapes.count({tp, false, 1, 1})) << tp;
  EXPECT_FALSE(shapes.count({1, true, 1, 1}));
  EXPECT_FALSE(shapes.count({2, true, 2, 1}));
  // 8 x H200 holds the weights at tp 8: no pipeline shape is tried.
  for (const auto& shape : shapes) EXPECT_EQ(std::get<3>(shape), 1);
  // The winner is the best shape tried, and the report says which it is.
  for (const auto& p : r.tried) EXPECT_LE(p.tokens_per_s, r.run.tokens_per_s * 1.001);
  const auto cfg = to_json(r)["config"];
  EXPECT_EQ(cfg["attention_dp"].get<bool>(), r.deployment.step->options().attention_dp);
}

TEST(MlperfSearch, PipelineStagesAreTriedWhenNoServerHoldsTheWeights) {
  // DeepSeek-R1 at fp8 (671 GB) on 16 H100s: tp 8 cannot hold the weights,
  // so tp 8 x 2 stages is tried beside the wide-EP groups; wide EP wins.
  MlperfOptions o = pinned_offline(16, "deepseek-r1", 1024);
  o.chip = "h100-sxm";
  MlperfResult r = run_mlperf(o);
  bool pipeline = false;
  for (const auto& p : r.tried) {
    if (p.knobs.pp == 1) continue;
    pipeline = true;
    EXPECT_EQ(p.knobs.tp, 8);
    EXPECT_EQ(p.knobs.pp, 2);
    EXPECT_GT(p.tokens_per_s, 0) << p.note;
  }
  EXPECT_TRUE(pipeline);
  EXPECT_TRUE(r.deployment.step->options().attention_dp);
  // A model one server holds tries none.
  o = pinned_offline(16, "llama2-70b", 256);
  o.chip = "h100-sxm";
  for (const auto& p : run_mlperf(o).tried) EXPECT_EQ(p.knobs.pp, 1);
}

TEST(MlperfSearch, WideEpSpansServersWhenOneCannotHoldTheModel) {
  // DeepSeek-R1 on 16 H100 (two 8-GPU servers): no shape within one server
  // holds its 671 B fp8 weights (tp8: 84 GB per chip; wide EP 8: 101 GB), so
  // the group of 16 over both servers, DeepEP's internode dispatch, runs.
  MlperfOptions o = pinned_offline(16, "deepseek-r1", 512);
  o.chip = "h100-sxm";
  MlperfResult r = run_mlperf(o);
  EXPECT_TRUE(r.deployment.step->options().attention_dp);
  EXPECT_EQ(r.deployment.tp, 16);
  EXPECT_GT(r.run.tokens_per_s, 0);
}

TEST(MlperfSearch, DenseBenchmarksStayTensorParallel) {
  for (const auto& p : run_mlperf(pinned_offline(2, "llama3.1-8b", 256)).tried)
    EXPECT_FALSE(p.knobs.attention_dp);
}

}  // namespace
}  // namespace cw
