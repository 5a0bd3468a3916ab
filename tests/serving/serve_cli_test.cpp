// `chipwright serve` and `chipwright mlperf` as a user runs them: JSON fields,
// determinism under a seed, the Chrome-trace timeline, and error exits.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "../support/cli_runner.hpp"

namespace {

using cw::test::CliRun;
using cw::test::expect_refused;
using cw::test::run;
using cw::test::run_stdout;
using cw::test::temp_file;

const std::string kServe =
    "serve --chip h100-sxm --count 2 --tp 1 --model llama3.1-8b --precision fp8 "
    "--dataset mlperf-llama3.1-8b --requests 3000 ";

// kServe without --tp (--disaggregate sizes the pools instead).
const std::string kServeDisaggregated =
    "serve --chip h100-sxm --count 2 --model llama3.1-8b --precision fp8 "
    "--dataset mlperf-llama3.1-8b --requests 3000 ";

TEST(ServingCli, ServeJsonHasTheMetrics) {
  CliRun r = run(kServe + "--rate 20 --seed 3 --format json", true);
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["requests"], 3000);
  EXPECT_EQ(j["accelerators"], 2);
  EXPECT_EQ(j["output_tokens"], 3000 * 128);
  EXPECT_GT(j["tokens_per_s"].get<double>(), 0);
  EXPECT_GT(j["ttft_p99_s"].get<double>(), 0);
  EXPECT_GT(j["tpot_p99_s"].get<double>(), 0);
  EXPECT_EQ(j["config"]["replicas"], 2);
  EXPECT_GT(j["kv_occupancy_peak"].get<double>(), 0);
}

TEST(ServingCli, SameSeedGivesIdenticalJson) {
  CliRun a = run(kServe + "--rate 20 --seed 7 --router least-loaded --format json", true);
  CliRun b = run(kServe + "--rate 20 --seed 7 --router least-loaded --format json", true);
  CliRun c = run(kServe + "--rate 20 --seed 8 --router least-loaded --format json", true);
  ASSERT_EQ(a.code, 0) << a.out;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
}

TEST(ServingCli, TimelineIsAChromeTrace) {
  std::string trace = temp_file("serve_trace.csv",
                                "input_length,output_length,arrival_s\n100,20,0\n300,5,0.01\n"
                                "50,40,0.02\n");
  std::string out = testing::TempDir() + "serve_timeline.json";
  std::remove(out.c_str());
  CliRun r =
      run("serve --chip h100-sxm --model llama3.1-8b --trace " + trace + " --timeline " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(out);
  ASSERT_TRUE(in.good());
  auto j = nlohmann::json::parse(in);
  int iterations = 0, begins = 0, ends = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "X") ++iterations;
    if (e["ph"] == "b") ++begins;
    if (e["ph"] == "e") ++ends;
  }
  EXPECT_GT(iterations, 0);
  EXPECT_EQ(begins, ends);
  EXPECT_EQ(begins, 3 * 3);  // request, queue+prefill, decode for each request
  std::ifstream tmp(out + ".tmp");
  EXPECT_FALSE(tmp.good());  // the temporary was renamed away
}

TEST(ServingCli, DisaggregatedServeReportsTransfersAndPools) {
  const std::string split =
      "--disaggregate --prefill-replicas 1 --prefill-tp 1 --decode-replicas 1 --decode-tp 1 ";
  CliRun r = run(kServeDisaggregated + split + "--rate 20 --seed 3 --format json", true);
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["requests"], 3000);
  EXPECT_EQ(j["output_tokens"], 3000 * 128);
  EXPECT_EQ(j["kv_transfer"]["transfers"], 3000);  // every request decodes 127 more tokens
  EXPECT_EQ(j["config"]["prefill"]["replicas"], 1);
  EXPECT_EQ(j["config"]["decode"]["tp"], 1);
  // Llama-3.1-8B at fp8: 32 layers x (K + V) x 8 KV heads x 128 x 1 byte.
  EXPECT_EQ(j["config"]["kv_bytes_per_token"], 32 * 2 * 8 * 128);
  EXPECT_GT(j["kv_transfer"]["transfer_s"]["mean"].get<double>(), 0);
  EXPECT_GT(j["kv_transfer"]["decode_utilisation"].get<double>(), 0);
  CliRun again = run(kServeDisaggregated + split + "--rate 20 --seed 3 --format json", true);
  EXPECT_EQ(again.out, r.out);
  // The timeline has the transfer spans on the decode replica (process 1).
  std::string path = temp_file("disagg_timeline.json", "");
  CliRun traced = run(kServeDisaggregated + split + "--rate 20 --seed 3 --timeline " + path, true);
  ASSERT_EQ(traced.code, 0) << traced.out;
  std::ifstream in(path);
  auto t = nlohmann::json::parse(in);
  int transfers = 0;
  for (const auto& e : t["traceEvents"]) {
    if (e["name"] == "kv transfer" && e["ph"] == "X") {
      ++transfers;
      EXPECT_EQ(e["pid"], 1);
    }
  }
  EXPECT_EQ(transfers, 3000);
}

TEST(ServingCli, BadInputsExitWithTwoAndAHint) {
  std::string bad = temp_file("bad_trace.csv", "input_length,output_length\n10,20\n30,x\n");
  CliRun r = run("serve --chip h100-sxm --model llama3.1-8b --offline --trace " + bad);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("bad_trace.csv:3:4"), std::string::npos) << r.out;
  r = run("serve --chip h100-sxm --model llama3.1-8b --offline --dataset mlperf-llama2-7b");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("mlperf-llama2-70b"), std::string::npos) << r.out;
  r =
      run("serve --chip h100-sxm --count 3 --tp 2 --model llama2-70b --offline "
          "--dataset mlperf-llama2-70b");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("divides --count"), std::string::npos) << r.out;
  r = run("serve --chip h100-sxm --model llama3.1-405b --offline --dataset mlperf-llama3.1-405b");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("does not fit"), std::string::npos) << r.out;
  r =
      run("serve --chip h100-sxm --model llama3.1-8b --offline --dataset mlperf-llama3.1-8b "
          "--scheduler decode-frist");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("decode-first"), std::string::npos) << r.out;
  r = run(kServeDisaggregated +
          "--rate 20 --disaggregate --prefill-replicas 2 --prefill-tp 1 --decode-replicas 1 "
          "--decode-tp 1");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("= 3 chips, more than --count 2"), std::string::npos) << r.out;
  r = run(kServe + "--rate 20 --prefill-tp 2");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("--disaggregate"), std::string::npos) << r.out;
  r = run("mlperf --chip h100-sxm --count 8 --benchmark lama2-70b --scenario offline");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("llama2-70b"), std::string::npos) << r.out;
  r = run("mlperf --chip h100-sxm --count 8 --benchmark llama2-70b --scenario ofline");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("offline"), std::string::npos) << r.out;
}

// `serve --cp`: long prompts split over two groups of tp chips reach their
// first token sooner than two replicas of tp would (same 8 chips, same
// arrivals), and the JSON names the plan. cp does not combine with
// --disaggregate or with attention DP.
TEST(ServingCli, ContextParallelReplicasCutLongPromptTtft) {
  std::string rows = "input_length,output_length\n";
  for (int i = 0; i < 12; ++i) rows += std::to_string(32768 * (1 + i % 3)) + ",64\n";
  const std::string trace = temp_file("long_prompts.csv", rows);
  const std::string base = "serve --chip h100-sxm --count 8 --tp 4 --model llama3.1-70b --trace " +
                           trace + " --rate 0.2 --seed 1 --format json";
  CliRun a = run(base, true), b = run(base + " --cp 2", true);
  ASSERT_EQ(a.code, 0) << a.out;
  ASSERT_EQ(b.code, 0) << b.out;
  auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  EXPECT_EQ(jb["config"]["cp"].get<int>(), 2);
  EXPECT_EQ(jb["config"]["replicas"].get<int>(), 1);
  EXPECT_LT(jb["ttft_s"]["mean"].get<double>(), 0.8 * ja["ttft_s"]["mean"].get<double>());
  CliRun d = run(kServeDisaggregated + "--rate 20 --disaggregate --cp 2");
  EXPECT_EQ(d.code, 2) << d.out;
  CliRun w =
      run("serve --chip h100-sxm --count 8 --tp 4 --ep 4 --attention-dp --cp 2 "
          "--model mixtral-8x7b --dataset mlperf-mixtral-8x7b --offline --requests 10");
  EXPECT_EQ(w.code, 2) << w.out;
  EXPECT_NE(w.out.find("--cp"), std::string::npos) << w.out;
}

TEST(ServingCli, MlperfJsonNamesTheChosenConfiguration) {
  CliRun r =
      run("mlperf --chip h200-sxm --count 1 --benchmark llama3.1-8b --scenario offline "
          "--format json",
          true);
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["tokens_per_s"].get<double>(), 0);
  EXPECT_EQ(j["accelerators"], 1);
  EXPECT_TRUE(j["config"].contains("max_batch"));
  EXPECT_TRUE(j["config"].contains("tp"));
  EXPECT_TRUE(j.contains("ttft_p99_s"));
  EXPECT_TRUE(j.contains("tpot_p99_s"));
}

TEST(ServingCli, ServeReportsEnergyAndCost) {
  CliRun r = run_stdout(kServe + "--rate 20 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  const auto& e = j.at("economics");
  ASSERT_TRUE(e.is_object()) << j.at("economics_unavailable");
  for (const char* k : {"joules_per_token", "average_power_w", "dollars_per_million_tokens",
                        "die_area_mm2", "unit_cost_dollars", "chip_price_dollars"}) {
    EXPECT_GT(e.at(k).get<double>(), 0) << k;
  }
  // J/token x tokens/s = W over the cluster.
  EXPECT_NEAR(e.at("joules_per_token").get<double>() * j.at("tokens_per_s").get<double>(),
              e.at("average_power_w").get<double>() * 2, 1e-6 * e.at("average_power_w").get<double>());
  CliRun text = run(kServe + "--rate 20");
  EXPECT_NE(text.out.find("J/token"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("per million output tokens"), std::string::npos) << text.out;
}

TEST(ServingCli, CompareScenarioJsonHasEveryField) {
  CliRun r = run_stdout(
      "compare --chips h100-sxm,tpu-v5e --scenario offline --benchmark llama3.1-8b --count 2 "
      "--precision bf16 "
      "--format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("scenario"), "offline");
  EXPECT_EQ(j.at("benchmark"), "llama3.1-8b");
  ASSERT_EQ(j.at("chips").size(), 2u);
  for (const auto& row : j.at("chips")) {
    for (const char* k : {"tokens_per_s", "tokens_per_s_per_chip", "ttft_p99_s", "tpot_p99_s",
                          "samples_per_s"}) {
      EXPECT_GT(row.at(k).get<double>(), 0) << row.at("chip") << " " << k;
    }
    EXPECT_EQ(row.at("chips"), 2);
    EXPECT_TRUE(row.at("valid").get<bool>());
    EXPECT_FALSE(row.at("attention_dp").get<bool>());  // a dense model
    EXPECT_TRUE(row.contains("config"));
    EXPECT_NEAR(row.at("tokens_per_s_per_chip").get<double>() * 2,
                row.at("tokens_per_s").get<double>(), 1e-6 * row.at("tokens_per_s").get<double>());
  }
  const auto& h100 = j.at("chips")[0].at("economics");
  for (const char* k : {"joules_per_token", "average_power_w", "dollars_per_million_tokens",
                        "die_area_mm2", "unit_cost_dollars"}) {
    EXPECT_GT(h100.at(k).get<double>(), 0) << k;
  }
  // A TPU's process is not published: no figures, and the reason.
  EXPECT_TRUE(j.at("chips")[1].at("economics").is_null());
  EXPECT_NE(j.at("chips")[1].at("economics_unavailable").get<std::string>().find("process"),
            std::string::npos);
}

// For a mixture-of-experts benchmark the rule also runs the wide-EP group,
// each attention-DP rank with the default engine limits, and keeps it when it
// scores higher: DeepSeek-R1 on 8 H200, where every tp8 rank would hold every
// sequence's MLA latent (about 6k tokens/s) and the ranks hold 1/8 each.
TEST(ServingCli, CompareScenarioRunsWideEpForMoeBenchmarks) {
  CliRun r = run_stdout(
      "compare --chips h200-sxm --scenario offline --benchmark deepseek-r1 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto row = nlohmann::json::parse(r.out).at("chips")[0];
  EXPECT_TRUE(row.at("attention_dp").get<bool>());
  EXPECT_EQ(row.at("config").at("ep").get<int>(), 8);
  EXPECT_EQ(row.at("config").at("max_batch").get<int>(), 8 * 256);
  EXPECT_GT(row.at("tokens_per_s").get<double>(), 9000);
  CliRun text = run_stdout("compare --chips h200-sxm --scenario offline --benchmark deepseek-r1");
  EXPECT_NE(text.out.find("ep8x1"), std::string::npos) << text.out;
}

TEST(ServingCli, CompareServerScenarioStaysWithinTheLimits) {
  CliRun r = run_stdout(
      "compare --chips h100-sxm --scenario server --benchmark llama3.1-8b --count 1 --format json");
  ASSERT_EQ(r.code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  const auto& row = j.at("chips")[0];
  EXPECT_TRUE(row.at("valid").get<bool>());
  EXPECT_LT(row.at("ttft_p99_s").get<double>(), j.at("limits").at("ttft_p99_s").get<double>());
  EXPECT_LT(row.at("tpot_p99_s").get<double>(), j.at("limits").at("tpot_p99_s").get<double>());
  EXPECT_GT(row.at("server_qps").get<double>(), 0);
}

TEST(ServingCli, CompareRejectsABadScenario) {
  CliRun r = run("compare --scenario servr");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("unknown --scenario 'servr'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("server"), std::string::npos) << r.out;
  CliRun model = run("compare --scenario offline --model llama3.1-8b");
  EXPECT_EQ(model.code, 2) << model.out;
  EXPECT_NE(model.out.find("--model does not apply"), std::string::npos) << model.out;
}

TEST(ServingCli, CapacityFindsTheFastestRateWithinTheSlosAndSizesAFleet) {
  const std::string base =
      "serve --chip h100-sxm --count 2 --tp 2 --model llama3.1-70b --dataset mlperf-llama2-70b "
      "--requests 600 --slo-ttft 0.45 --slo-tpot 0.04 --capacity";
  CliRun table = run(base + " --target-rate 100");
  ASSERT_EQ(table.code, 0) << table.out;
  EXPECT_NE(table.out.find("with p99 TTFT <= 450 ms, p99 TPOT <= 40 ms"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("a faster rate breaks them (p99 TTFT"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("fleet        100 requests/s needs"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("goodput"), std::string::npos);  // the run at the capacity follows
  CliRun json = run_stdout(base + " --target-rate 100 --format json");
  ASSERT_EQ(json.code, 0);
  const auto j = nlohmann::json::parse(json.out);
  const double rate = j["capacity"]["requests_per_s"];
  EXPECT_TRUE(j["capacity"]["found"].get<bool>());
  EXPECT_LE(j["ttft_s"]["p99"].get<double>(), 0.45);
  EXPECT_LE(j["tpot_s"]["p99"].get<double>(), 0.04);
  EXPECT_EQ(j["fleet"]["deployments"], static_cast<int>(std::ceil(100 / rate)));
  EXPECT_EQ(j["fleet"]["chips"], 2 * j["fleet"]["deployments"].get<int>());
  EXPECT_GT(j["fleet"]["dollars_per_hour"].get<double>(), 0);
  // Bad combinations exit 2 with what to change.
  expect_refused(base + " --rate 5", "excludes");
  expect_refused(base + " --offline", "excludes");
  expect_refused(base + " --target-rate -3", "--target-rate");
  const std::string eight_b =
      "serve --chip h100-sxm --model llama3.1-8b --dataset mlperf-llama3.1-8b ";
  expect_refused(eight_b + "--capacity", "give --slo-ttft and/or --slo-tpot");
  expect_refused(eight_b + "--rate 3 --target-rate 10", "--capacity");
  expect_refused(eight_b + "--offline --burstiness 2", "burstiness shapes arrivals at a rate");
  expect_refused(eight_b + "--rate 3 --min-duration 60", "--capacity");
  expect_refused(eight_b + "--rate 3 --tune", "--capacity");
}

TEST(ServingCli, TunedCapacitySearchesTheDeployment) {
  const std::string base =
      "serve --chip h100-sxm --count 2 --model llama3.1-8b --dataset mlperf-llama3.1-8b "
      "--requests 300 --slo-ttft 0.3 --slo-tpot 0.02 --capacity --tune";
  CliRun table = run(base + " --target-rate 1000");
  ASSERT_EQ(table.code, 0) << table.out;
  EXPECT_EQ(table.out.rfind("tuned        tp ", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("deployments tried)"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("fleet        1000 requests/s needs"), std::string::npos) << table.out;
  CliRun pinned = run_stdout(base + " --tp 2 --format json");
  ASSERT_EQ(pinned.code, 0);
  const auto j = nlohmann::json::parse(pinned.out);
  EXPECT_EQ(j["tuning"]["tp"], 2);
  for (const auto& p : j["tuning"]["tried"]) EXPECT_EQ(p["tp"], 2);
  EXPECT_EQ(j["config"]["tp"], 2);
}

}  // namespace
